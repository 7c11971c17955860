import { parseSuite, SuiteError } from '../../src/suite/load.js';

/** Every issue a suite text gets from validation (empty when it is valid), for asserting on. */
export function suiteIssues(text: string, file: string) {
  try {
    parseSuite(text, file);
  } catch (e) {
    if (e instanceof SuiteError) return e.issues;
    throw e;
  }
  return [];
}
