/**
 * Settings → Rules' contract methods: a thin hop to the workspace's `rules` (core/app/ruleAdmin.ts, over the same
 * rule centre and rules file as `vigil rules`). No Electron runtime import, so the browser-test bridge (test/e2e)
 * serves them too.
 */
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** The contract methods of Settings → Rules. */
export type RuleMethod = keyof ReturnType<typeof createRuleHandlers>;

/** The rule centre's handlers. */
export function createRuleHandlers(host: ServiceHost) {
  return ipcHandlerGroup({
    rulesOverview: () => host.use((w) => w.rules.view()),
    saveRule: ({ rule, originalId }) => host.use((w) => w.rules.save(rule, originalId)),
    setRuleEnabled: ({ id, enabled }) => host.use((w) => w.rules.setEnabled(id, enabled)),
    removeRule: ({ id }) => host.use((w) => w.rules.remove(id)),
    testRule: ({ rule }) => host.use((w) => w.rules.test(rule)),
  });
}
