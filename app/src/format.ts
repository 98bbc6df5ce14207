// How numbers and dates read on the page ("Public·169 members", "Oct 16, 2023").
const dates = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});
const numbers = new Intl.NumberFormat("en-US");

export function date(iso: string): string {
  return dates.format(new Date(iso));
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${numbers.format(n)} ${n === 1 ? one : many}`;
}

const PRIVACY: Record<string, string> = { PUBLIC: "Public", PRIVATE: "Private", SECRET: "Secret" };

export function privacyAndMembers(privacy: string, memberCount: number): string {
  return `${PRIVACY[privacy] ?? privacy}·${count(memberCount, "member")}`;
}
