// Rewrites bodies: every match of searchPattern replaced by replaceString (`$1` refers to a
// group), the body decoded and encoded with `charset`.
import type { InterceptorFactory } from '../core/component.js';
import { need, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';
import { encodeText } from '../lib/charset.js';
import { decoderFor } from '../lib/charset.js';
import { javaReplacement, javaRegex } from '../lib/regex.js';

const create: InterceptorFactory = (config) => {
  const p = config.params;
  const where = `interceptor \`${config.name}\``;
  const search = javaRegex(need(paramString(p, 'searchPattern'), config.name, 'searchPattern'), 'g', where);
  const replace = javaReplacement(paramString(p, 'replaceString') ?? '');
  const charset = paramString(p, 'charset') ?? 'UTF-8';
  const decoder = decoderFor(charset, where);
  return {
    intercept(e: Event) {
      const text = decoder.decode(e.body);
      search.lastIndex = 0;
      const out = text.replace(search, replace);
      if (out !== text) e.body = encodeText(out, charset);
      return e;
    },
  };
};

export default create;
