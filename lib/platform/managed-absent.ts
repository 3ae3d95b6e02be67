/** Firefox's rejection of storage.managed.get when no policy (policies.json entry) exists. */
const ABSENT = /managed storage manifest not found/i;

/**
 * The managed policy, `{}` when the browser says there is none. Only that exact rejection is
 * "no policy" (so a removed policy clears); any other failure stays an error.
 */
export async function policyOrAbsent(
  read: Promise<Record<string, unknown>>,
  rejectsWhenAbsent: boolean,
): Promise<Record<string, unknown>> {
  try {
    return await read;
  } catch (error) {
    if (rejectsWhenAbsent && ABSENT.test(String((error as Error)?.message ?? error))) return {};
    throw error;
  }
}
