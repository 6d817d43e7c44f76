/**
 * An action that asks first: a secondary button ("Remove…"), then in its place the question with "Yes, …" and
 * Cancel. Focus lands on Cancel, so Enter or Space right after the first click changes nothing.
 */
import { useState, type ReactNode } from 'react';

export interface ConfirmActionProps {
  /** The first button's text, e.g. "Remove…". */
  label: string;
  /** Its accessible name when the text alone is ambiguous (one "Remove…" per pack). */
  ariaLabel?: string;
  /** The question shown in the button's place. */
  question: ReactNode;
  /** The confirming button's text, e.g. "Yes, remove". */
  confirmLabel: string;
  /** Accessible name of the question's group. */
  groupLabel: string;
  /** `alertdialog` where the question interrupts; `group` otherwise. */
  role?: 'group' | 'alertdialog';
  /** The first button is disabled. */
  disabled?: boolean;
  /** The confirming button is disabled. */
  confirmDisabled?: boolean;
  onConfirm: () => void;
}

export function ConfirmAction(props: ConfirmActionProps) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="secondary" aria-label={props.ariaLabel} disabled={props.disabled} onClick={() => setConfirming(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div className="confirm" role={props.role ?? 'group'} aria-label={props.groupLabel}>
      <span>{props.question}</span>
      <button
        type="button"
        disabled={props.confirmDisabled}
        onClick={() => {
          setConfirming(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="secondary" autoFocus onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </div>
  );
}
