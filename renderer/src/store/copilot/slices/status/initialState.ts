import type { ServiceStatus } from '../../../../api/contractTypes';

/** What the header knows about the engine. */
export interface StatusState {
  status: ServiceStatus | null;
  statusLoading: boolean;
  statusError: string | null;
}

/** Before the first status call. */
export const initialStatusState: StatusState = {
  status: null,
  statusLoading: false,
  statusError: null,
};
