import type { RuleCentreView } from '../../../../api/contractTypes';

/** Settings → Rules: the rules as last loaded, and what the section is doing. */
export interface RulesState {
  rules: RuleCentreView | null;
  rulesError: string | null;
  /** The last change's outcome in words. */
  rulesNotice: string | null;
  /** The id of the rule being switched or removed, so its buttons wait. */
  rulesBusyId: string | null;
}

export const initialRulesState: RulesState = { rules: null, rulesError: null, rulesNotice: null, rulesBusyId: null };
