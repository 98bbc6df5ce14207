"""The schema is an artifact: committed, documented, and held to its contract."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from schema.schema import schema


def composite(name: str) -> GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType:
    named = schema._schema.type_map[name]
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
    return named


def enum(name: str) -> GraphQLEnumType:
    named = schema._schema.type_map[name]
    assert isinstance(named, GraphQLEnumType)
    return named


def object_type(name: str) -> GraphQLObjectType:
    named = schema._schema.type_map[name]
    assert isinstance(named, GraphQLObjectType)
    return named


SNAPSHOT = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    assert SNAPSHOT.read_text() == schema.as_str() + "\n", "schema drifted: run `make schema`"


def test_every_type_field_argument_and_value_is_described() -> None:
    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if name not in {"Query", "Mutation"} and not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLEnumType):
            missing += [
                f"{name}.{v}" for v, value in graphql_type.values.items() if not value.description
            ]
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    if not argument.description:
                        missing.append(f"{name}.{field_name}({argument_name})")
        if isinstance(graphql_type, GraphQLScalarType) and not graphql_type.description:
            missing.append(name)

    assert missing == []


CONTRACT = """
type Query {
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  group(slug: String!): Group
  groups(first: Int, after: String, last: Int, before: String): GroupConnection!
}
"""


def test_the_contract_fields_keep_their_names_and_types() -> None:
    expected = {
        "Query": {
            "node": "Node",
            "nodes": "[Node]!",
            "group": "Group",
            "groups": "GroupConnection!",
        },
        "Group": {
            "id": "ID!",
            "slug": "String!",
            "name": "String!",
            "description": "String!",
            "privacy": "GroupPrivacy!",
            "memberCount": "Int!",
            "createdAt": "DateTime!",
            "articles": "ArticleConnection!",
        },
        "Article": {
            "id": "ID!",
            "slug": "String!",
            "title": "String!",
            "subtitle": "String",
            "body": "String!",
            "excerpt": "String!",
            "coverImage": "Image",
            "views": "Int!",
            "author": "Member!",
            "group": "Group!",
            "publishedAt": "DateTime!",
            "updatedAt": "DateTime!",
            "commentCount": "Int!",
            "comments": "CommentConnection!",
        },
        "Image": {"url": "String!", "caption": "String"},
        "Comment": {
            "id": "ID!",
            "body": "String!",
            "author": "Member",  # null once a comment is deleted (issue 3)
            "article": "Article!",
            "parent": "Comment",
            "replies": "CommentConnection!",
            "replyCount": "Int!",
            "createdAt": "DateTime!",
        },
        "Member": {"id": "ID!", "name": "String!"},
        "PageInfo": {
            "hasNextPage": "Boolean!",
            "hasPreviousPage": "Boolean!",
            "startCursor": "String",
            "endCursor": "String",
        },
        "Mutation": {"recordArticleView": "RecordArticleViewPayload!"},
        "RecordArticleViewInput": {"articleId": "ID!", "viewerKey": "String"},
        "RecordArticleViewPayload": {
            "article": "Article",
            "counted": "Boolean!",
            "reason": "ViewSkipReason",
        },
    }
    for connection in ("GroupConnection", "ArticleConnection", "CommentConnection"):
        node = connection.removesuffix("Connection")
        expected[connection] = {
            "edges": f"[{node}Edge!]!",
            "nodes": f"[{node}!]!",
            "pageInfo": "PageInfo!",
            "totalCount": "Int!",
        }
    for type_name, fields in expected.items():
        actual = {name: str(field.type) for name, field in composite(type_name).fields.items()}
        assert {name: actual.get(name) for name in fields} == fields, type_name
    enums = {
        "GroupPrivacy": ["PUBLIC", "PRIVATE", "SECRET"],
        "ArticleOrder": ["NEWEST", "OLDEST", "MOST_VIEWED"],
        "CommentOrder": ["OLDEST", "NEWEST"],
        "ViewSkipReason": ["NOT_FOUND", "DUPLICATE_IN_WINDOW"],
    }
    for enum_name, values in enums.items():  # later issues add values, never remove them
        assert set(values) <= set(enum(enum_name).values), enum_name
    for type_name in ("Group", "Article", "Comment", "Member"):
        assert "Node" in [i.name for i in object_type(type_name).interfaces]


def test_connection_arguments_and_defaults() -> None:
    articles = object_type("Group").fields["articles"].args
    comments = object_type("Article").fields["comments"].args
    replies = object_type("Comment").fields["replies"].args
    groups = object_type("Query").fields["groups"].args

    for arguments in (articles, comments, replies, groups):
        assert {
            name: str(arguments[name].type) for name in ("first", "after", "last", "before")
        } == {
            "first": "Int",
            "after": "String",
            "last": "Int",
            "before": "String",
        }
    sdl = schema.as_str()
    assert sdl.count("orderBy: ArticleOrder = NEWEST") == 1
    assert sdl.count("orderBy: CommentOrder = OLDEST") == 2
    assert sdl.count("maxLength: Int = 200") == 1
