import type { NextFunction, Request, Response } from 'express';
import { isSecretConfigKey, SECRET_MASK } from '@pollcast/config-schema';

/** Query parameter names whose values are credentials (Open Connectors' oauth/url takes `apiSecret`). */
export function isSecretQueryName(name: string): boolean {
  return isSecretConfigKey(name);
}

/**
 * Rewrites secret query values to `********` in `req.url` before the request logger binds the URL, so
 * no log line ever holds them. The API never reads those values (the authorize URL needs no client
 * secret), so nothing is lost.
 */
export function maskQuerySecrets(request: Request, _response: Response, next: NextFunction): void {
  const url = request.url;
  const queryStart = url.indexOf('?');
  if (queryStart >= 0) {
    let changed = false;
    const masked = url
      .slice(queryStart + 1)
      .split('&')
      .map((pair) => {
        const separator = pair.indexOf('=');
        const rawName = separator < 0 ? pair : pair.slice(0, separator);
        let name: string;
        try {
          name = decodeURIComponent(rawName.replace(/\+/g, ' '));
        } catch {
          name = rawName;
        }
        if (separator < 0 || !isSecretQueryName(name)) return pair;
        changed = true;
        return `${rawName}=${encodeURIComponent(SECRET_MASK)}`;
      })
      .join('&');
    if (changed) {
      request.url = `${url.slice(0, queryStart)}?${masked}`;
      // Express keeps the first URL here and loggers prefer it.
      (request as Request & { originalUrl: string }).originalUrl = request.url;
    }
  }
  next();
}
