/** Kept for the desktop shell (electron/main/index.ts), which imports from here: privacy settings live in core/privacy. */
export { readPrivacySettings } from '../privacy/privacySettings';
