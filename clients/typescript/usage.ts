// Compiled (never run) by scripts/check_openapi.sh against the types that
// openapi-typescript generates from ../../openapi.json into build/schema.d.ts:
// a change to the document that breaks what this file uses (as a client would) fails it.
import type { components, operations, paths } from "./build/schema";

type Schemas = components["schemas"];
export type ContactIn = Schemas["ContactIn"];
export type ContactOut = Schemas["ContactOut"];
export type ContactCreated = Schemas["ContactCreated"];
export type TokenOut = Schemas["TokenOut"];
export type RegisterIn = Schemas["RegisterIn"];
export type ErrorOut = Schemas["ErrorOut"];
export type ValidationErrorOut = Schemas["ValidationErrorOut"];

type ListContacts = paths["/contacts/"]["get"];
export type ListContactsQuery = NonNullable<ListContacts["parameters"]["query"]>;
type ListedContacts = ListContacts["responses"][200]["content"]["application/json"];
type CreateContact = operations["createContact"];

// The seed's bodies, as a client would send them.
export const seedRegistration: RegisterIn = {
  first_name: "Chioma",
  last_name: "Okafor",
  email: "chioma@example.com",
  password: "correct horse battery",
};
export const seedContact: ContactIn = {
  name: "chioma",
  phone_number: "09068641485",
  email: "ghjhkj@gmail.com",
};

export function authorization(tokens: TokenOut): { Authorization: string } {
  return { Authorization: `Bearer ${tokens.access_token}` };
}

export function contactsUrl(base: string, query: ListContactsQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  return `${base}/contacts/?${params.toString()}`;
}

export async function listContacts(
  base: string,
  tokens: TokenOut,
  query: ListContactsQuery = { sort: "name", limit: 50 },
): Promise<{ contacts: ListedContacts; total: number; next: string | null }> {
  const response = await fetch(contactsUrl(base, query), { headers: authorization(tokens) });
  if (response.status === 401) {
    const error: ListContacts["responses"][401]["content"]["application/json"] =
      await response.json();
    throw new Error(error.detail);
  }
  const contacts: ContactOut[] = await response.json();
  // The documented headers are typed: a count always, a cursor only before the last page.
  const total: ListContacts["responses"][200]["headers"]["X-Total-Count"] = Number(
    response.headers.get("X-Total-Count"),
  );
  const next: ListContacts["responses"][200]["headers"]["X-Next-Cursor"] | null =
    response.headers.get("X-Next-Cursor");
  return { contacts, total, next };
}

export function describe(contact: ContactOut | ContactCreated): string {
  const duplicates = "possible_duplicate_of" in contact ? contact.possible_duplicate_of : [];
  return `${contact.id}: ${contact.name} <${contact.email}> ${contact.phone_number} (v${contact.version})${
    duplicates.length > 0 ? `, maybe a duplicate of ${duplicates.join(", ")}` : ""
  }`;
}

export function explain(
  status: 401 | 409 | 422,
  body: CreateContact["responses"][401 | 409 | 422]["content"]["application/json"],
): string {
  if (status === 422 && Array.isArray(body.detail)) {
    return body.detail.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ");
  }
  return typeof body.detail === "string" ? body.detail : "invalid request";
}

// The types are as strict as the document: each line below must fail to compile.
// @ts-expect-error `sort` is an enum
export const badSort: ListContactsQuery = { sort: "surname" };
// @ts-expect-error a contact needs its phone number
export const badContact: ContactIn = { name: "chioma", email: "ghjhkj@gmail.com" };
// @ts-expect-error `token_type` is always "bearer"
export const badToken: TokenOut["token_type"] = "mac";
