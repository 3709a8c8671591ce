/** What a row id or a delivery/credential uuid may look like before any SQL is spent on it. */

/** Row ids are Postgres `serial` (int4): a larger number can name no row (and Postgres refuses it). */
export const MAX_ROW_ID = 2_147_483_647;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a canonical (8-4-4-4-12 hex) uuid. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
