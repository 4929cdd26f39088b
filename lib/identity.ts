/**
 * One spelling of who someone is (an email, a `human_principal`, an agent id that is an email):
 * Unicode NFC, trimmed, lower-cased. Every comparison of identities goes through it, so
 * `" Rev1@acme.test"` is rev1 for four eyes as much as for sign-in (issue 19, finding 11).
 */
export const normalIdentity = (value: string): string => value.normalize("NFC").trim().toLowerCase();
