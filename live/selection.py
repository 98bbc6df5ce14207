"""Whether an operation's answer depends on who the viewer is, beyond what they may see.

Subscribers whose operation selects none of these fields get the same answer
whoever they are (once they may see what they watch), so they share one
execution per event; selecting any of them makes the answer per viewer.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

# The API's convention: fields about the viewer are named `viewer...` (viewerCanUpdate,
# viewerDidAuthor, viewerHasReacted, viewerMembership). A few more answer differently
# per viewer without saying so in their name:
PER_VIEWER_FIELDS = frozenset({("Group", "joinRequests")})  # for owners and admins only

Parent = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def is_per_viewer(type_name: str, field_name: str) -> bool:
    return field_name.startswith("viewer") or (type_name, field_name) in PER_VIEWER_FIELDS


def depends_on_viewer(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> bool:
    """True when the operation selects, anywhere, through any fragment, a per-viewer field."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    if root is None:
        return False
    seen: set[tuple[str, str]] = set()

    def walk(selection_set: SelectionSetNode, parent: Parent) -> bool:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if field_depends(selection, parent):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if walk(selection.selection_set, condition(selection, parent)):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                key = (selection.name.value, parent.name)
                if fragment is None or key in seen:
                    continue
                seen.add(key)
                if walk(fragment.selection_set, condition(fragment, parent)):
                    return True
        return False

    def field_depends(node: FieldNode, parent: Parent) -> bool:
        name = node.name.value
        if name.startswith("__"):
            return False
        if is_per_viewer(parent.name, name):
            return True
        fields = getattr(parent, "fields", {})
        definition = fields.get(name)
        if definition is None or node.selection_set is None:
            return False
        child = get_named_type(definition.type)
        return isinstance(child, Parent) and walk(node.selection_set, child)

    def condition(node: InlineFragmentNode | FragmentDefinitionNode, parent: Parent) -> Parent:
        if node.type_condition is None:
            return parent
        named = schema.get_type(node.type_condition.name.value)
        return named if isinstance(named, Parent) else parent

    return walk(operation.selection_set, root)
