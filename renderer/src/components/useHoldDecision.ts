import { useState } from 'react';
import { errorText } from '../client/types';

/**
 * The state of a list of held items an operator decides on (capture holds, money-out holds): which one is being
 * decided, the note about the last decision (cleared when a new item arrives) and the error of a failed one.
 */
export function useHoldDecision(ids: string, onDecided: () => void) {
  const [busy, setBusy] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  // A new set of held items clears the note, adjusted while rendering (React's way to reset state on a prop change).
  const [seenIds, setSeenIds] = useState(ids);
  if (seenIds !== ids) {
    setSeenIds(ids);
    if (ids) setNote('');
  }
  /** Runs one decision; `act` resolves with the note to show. */
  const decide = async (id: string, act: () => Promise<string>): Promise<void> => {
    setBusy(id);
    setError('');
    setNote('');
    try {
      setNote(await act());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy('');
      onDecided();
    }
  };
  return { busy, note, error, decide };
}
