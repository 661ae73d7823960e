// Copies the groups of the first match of `regex` in the body into headers: group i goes to
// the header named by the i-th serializer (`serializers.<s>.name`). Serializer types: DEFAULT
// (the text as is) and RegexExtractorInterceptorMillisSerializer (a date in the Joda
// `pattern`, stored as epoch milliseconds).
import type { InterceptorFactory } from '../core/component.js';
import { ConfigError, need, paramList, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';
import { compileDateFormat } from '../lib/dateformat.js';
import { javaRegex } from '../lib/regex.js';

type Serializer = { header: string; convert: (v: string) => string | undefined };

const create: InterceptorFactory = (config) => {
  const p = config.params;
  const where = `interceptor \`${config.name}\``;
  const regex = javaRegex(need(paramString(p, 'regex'), config.name, 'regex'), '', where);
  const serializers: Serializer[] = need(paramList(p, 'serializers'), config.name, 'serializers').map((s) => {
    const header = need(paramString(p, `serializers.${s}.name`), config.name, `serializers.${s}.name`);
    const type = paramString(p, `serializers.${s}.type`) ?? 'DEFAULT';
    if (type === 'DEFAULT' || type.endsWith('RegexExtractorInterceptorPassThroughSerializer')) return { header, convert: (v) => v };
    if (type.endsWith('RegexExtractorInterceptorMillisSerializer')) {
      const pattern = need(paramString(p, `serializers.${s}.pattern`), config.name, `serializers.${s}.pattern`);
      const parse = compileDateFormat(pattern);
      return {
        header,
        convert: (v) => {
          const t = parse(v);
          return t === undefined || Number.isNaN(t) ? undefined : String(t);
        },
      };
    }
    throw new ConfigError(`${where}: the runtime has no regex_extractor serializer \`${type}\``);
  });
  return {
    intercept(e: Event) {
      const m = regex.exec(e.body.toString('utf8'));
      if (!m) return e;
      const n = Math.min(m.length - 1, serializers.length);
      for (let g = 1; g <= n; g++) {
        const v = m[g];
        if (v === undefined) continue;
        const out = serializers[g - 1]!.convert(v);
        if (out !== undefined) e.headers[serializers[g - 1]!.header] = out;
      }
      return e;
    },
  };
};

export default create;
