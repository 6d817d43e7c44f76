/** The one error type of knowledge packs: a stable code for programs, a sentence for people. */

/** Why a pack was refused; stable codes for tests and the app, with a sentence in `message`. */
export type PackErrorCode =
  | 'unreadable'
  | 'too_large'
  | 'truncated'
  | 'malformed'
  | 'bad_entry'
  | 'unsigned'
  | 'bad_signature'
  | 'entries_changed'
  | 'untrusted_signer'
  | 'downgrade'
  | 'same_version_changed'
  | 'different_signer'
  | 'name_not_allowed'
  | 'name_claimed'
  | 'wrong_team'
  | 'not_installed'
  | 'bad_key';

/** A refused pack or pack operation. The message names the file (and line or field) and what to do. */
export class PackError extends Error {
  constructor(
    readonly code: PackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PackError';
  }
}
