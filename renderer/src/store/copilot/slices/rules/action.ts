import type { StateCreator } from 'zustand/vanilla';
import type { RuleCentreView, RuleSaveResult, RuleTestView } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialRulesState, type RulesState } from './initialState';

/** What Settings → Rules can ask for. The rules are checked and stored by the main process (core/rules). */
export interface RulesAction {
  loadRules(): Promise<void>;
  /** Saves a draft (`originalId` null: a new rule); answers the outcome, whose field problems the form shows. */
  saveRule(rule: Record<string, unknown>, originalId: string | null): Promise<RuleSaveResult | null>;
  setRuleEnabled(id: string, enabled: boolean): Promise<void>;
  removeRule(id: string): Promise<void>;
  /** Runs a draft over the desk's recent tickets; null when the call itself failed (its error is shown). */
  testRule(rule: Record<string, unknown>): Promise<RuleTestView | null>;
}

export type RulesSlice = RulesState & RulesAction;

export function createRulesSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], RulesSlice> {
  return (set, get) => {
    /** A change to one rule: its buttons wait, the new list or the refusal is kept on screen. */
    const change = async (id: string, call: () => Promise<RuleCentreView>, done: string): Promise<void> => {
      if (get().rulesBusyId) return;
      set({ rulesBusyId: id, rulesError: null, rulesNotice: null });
      try {
        set({ rules: await call(), rulesNotice: done });
      } catch (error) {
        set({ rulesError: errorMessage(error) });
      } finally {
        set({ rulesBusyId: null });
      }
    };
    return {
      ...initialRulesState,
      async loadRules() {
        try {
          set({ rules: await api().rulesOverview(), rulesError: null });
        } catch (error) {
          set({ rulesError: errorMessage(error) });
        }
      },
      async saveRule(rule, originalId) {
        set({ rulesError: null, rulesNotice: null });
        try {
          const result = await api().saveRule({ rule, originalId });
          if (result.ok) set({ rules: result.view, rulesNotice: `Rule ${result.rule.id} saved; it applies to new messages at once.` });
          return result;
        } catch (error) {
          set({ rulesError: errorMessage(error) });
          return null;
        }
      },
      setRuleEnabled: (id, enabled) => change(id, () => api().setRuleEnabled({ id, enabled }), `Rule ${id} ${enabled ? 'enabled' : 'disabled'}.`),
      removeRule: (id) => change(id, () => api().removeRule({ id }), `Rule ${id} removed.`),
      async testRule(rule) {
        set({ rulesError: null });
        try {
          return await api().testRule({ rule });
        } catch (error) {
          set({ rulesError: errorMessage(error) });
          return null;
        }
      },
    };
  };
}
