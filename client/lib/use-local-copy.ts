import { useEffect, useState } from 'react';

/**
 * A local copy of server data for controls that save as they change: the control moves at once
 * (a controlled input must change in the same tick as its event), and the copy follows whenever
 * the server's answer arrives.
 */
export function useLocalCopy<T>(serverValue: T): [T, (next: T) => void] {
  const [value, setValue] = useState(serverValue);
  useEffect(() => setValue(serverValue), [serverValue]);
  return [value, setValue];
}
