import type { WhatIfStatus } from '../../../../api/contractTypes';

/** Insights → What if: the replay's state as last heard, and what the panel waits for. */
export interface WhatIfState {
  whatIf: WhatIfStatus | null;
  whatIfError: string | null;
  whatIfNotice: string | null;
  whatIfBusy: 'starting' | 'cancelling' | 'saving' | null;
}

export const initialWhatIfState: WhatIfState = { whatIf: null, whatIfError: null, whatIfNotice: null, whatIfBusy: null };
