/*
 * What each data source could contribute. An optional source that is missing (not licensed, no
 * permission) is reported, never fatal, and no conclusion is drawn from evidence that was not read.
 */
/** partial: read, but covering less than asked (days of the window the org no longer keeps); the detail says what is missing. */
export type CoverageStatus = 'used' | 'partial' | 'not-licensed' | 'no-permission' | 'capped' | 'failed';

export type SourceCoverage = {
  /** e.g. 'ConnectedApplication', 'SetupEntityAccess', 'listMetadata:ConnectedApp', 'OauthToken'. */
  source: string;
  status: CoverageStatus;
  /** The Salesforce error code behind a non-'used' status. */
  errorCode?: string;
  detail?: string;
};

const NO_PERMISSION = new Set(['INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'INVALID_SESSION_ID']);
const NOT_LICENSED = new Set(['INVALID_TYPE', 'API_DISABLED_FOR_ORG', 'FUNCTIONALITY_NOT_ENABLED', 'NOT_FOUND']);

export function coverageForError(source: string, errorCode: string, detail: string): SourceCoverage {
  const status = NO_PERMISSION.has(errorCode) ? 'no-permission' : NOT_LICENSED.has(errorCode) ? 'not-licensed' : 'failed';
  return { source, status, errorCode, detail };
}
