import { useEffect, useState } from 'react';
import { errorText } from '../client/types';

/**
 * The state of a list of held items an operator decides on (capture holds, money-out holds): which one is being
 * decided, the note about the last decision (cleared when a new item arrives) and the error of a failed one.
 */
export function useHoldDecision(ids: string, onDecided: () => void) {
  const [busy, setBusy] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    if (ids) setNote('');
  }, [ids]);
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
