import type { StateCreator } from 'zustand/vanilla';
import type { ReviewItem, ReviewRequest } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';

/** The review queue of learned entries, as the Knowledge screen shows it. */
export interface ReviewState {
  reviewItems: ReviewItem[];
  reviewLoaded: boolean;
  reviewError: string | null;
  /** The entry being decided (buttons wait), or null. */
  reviewBusy: string | null;
}

export const initialReviewState: ReviewState = { reviewItems: [], reviewLoaded: false, reviewError: null, reviewBusy: null };

export interface ReviewAction {
  loadReview(): Promise<void>;
  decide(request: ReviewRequest): Promise<boolean>;
}

export type ReviewSlice = ReviewState & ReviewAction;

export function createReviewSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], ReviewSlice> {
  return (set, get) => ({
    ...initialReviewState,
    async loadReview() {
      try {
        set({ reviewItems: await api().reviewQueue(), reviewLoaded: true, reviewError: null });
      } catch (error) {
        set({ reviewLoaded: true, reviewError: errorMessage(error) });
      }
    },
    async decide(request) {
      if (get().reviewBusy) return false;
      set({ reviewBusy: request.entryId, reviewError: null });
      try {
        set({ reviewItems: await api().reviewEntry(request), reviewBusy: null });
        void get().loadStatus();
        return true;
      } catch (error) {
        set({ reviewBusy: null, reviewError: errorMessage(error) });
        return false;
      }
    },
  });
}
