// The signed-in API client, shared by the pages without a state library.
import { createContext, useContext } from 'react';
import type { PollcastApi } from './api/client';

export const ApiContext = createContext<PollcastApi | null>(null);

export function useApi(): PollcastApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi outside a signed-in page');
  return api;
}
