// Parsing with Java SimpleDateFormat patterns, as Flume's syslog sources use them: fields are
// read left to right, a numeric field followed directly by another numeric field takes exactly
// its width, otherwise as many digits as there are; text after the last field is ignored; the
// result is local time unless the text carries a zone (Z). Lenient like Java: out-of-range
// values roll over.

type Field = { kind: 'lit'; text: string } | { kind: 'field'; letter: string; width: number };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function tokenize(pattern: string): Field[] {
  const out: Field[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ kind: 'lit', text: "'" });
        i += 2;
        continue;
      }
      const stop = end < 0 ? pattern.length : end;
      out.push({ kind: 'lit', text: pattern.slice(i + 1, stop) });
      i = stop + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ kind: 'field', letter: c, width: j - i });
      i = j;
    } else {
      out.push({ kind: 'lit', text: c });
      i++;
    }
  }
  return out;
}

const NUMERIC = new Set(['y', 'd', 'H', 'h', 'k', 'K', 'm', 's', 'S', 'D', 'u']);

function isNumeric(f: Field | undefined): boolean {
  if (!f || f.kind !== 'field') return false;
  if (f.letter === 'M') return f.width <= 2;
  return NUMERIC.has(f.letter);
}

export type DateParser = (text: string) => number | undefined;

export function compileDateFormat(pattern: string): DateParser {
  const fields = tokenize(pattern);
  return (text: string) => {
    let pos = 0;
    let year = 1970;
    let month = 0;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let ms = 0;
    let pm: boolean | undefined;
    let offsetMin: number | undefined;
    for (let fi = 0; fi < fields.length; fi++) {
      const f = fields[fi]!;
      if (f.kind === 'lit') {
        if (!text.startsWith(f.text, pos)) return undefined;
        pos += f.text.length;
        continue;
      }
      const readNum = (): number | undefined => {
        let end = pos;
        if (isNumeric(fields[fi + 1])) end = Math.min(text.length, pos + f.width);
        else while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
        const s = text.slice(pos, end);
        if (!/^\d+$/.test(s)) return undefined;
        pos = end;
        return Number(s);
      };
      const readName = (names: string[]): number | undefined => {
        const rest = text.slice(pos).toLowerCase();
        let best = -1;
        let len = 0;
        names.forEach((n, i) => {
          for (const cand of [n, n.slice(0, 3)]) if (rest.startsWith(cand) && cand.length > len) {
            best = i;
            len = cand.length;
          }
        });
        if (best < 0) return undefined;
        pos += len;
        return best;
      };
      let v: number | undefined;
      if (f.letter === 'y' || f.letter === 'u') {
        const start = pos;
        v = readNum();
        if (v === undefined) return undefined;
        if (f.width <= 2 && pos - start === 2) {
          const now = new Date().getFullYear();
          v += Math.floor((now - 80) / 100) * 100;
          if (v < now - 80) v += 100;
        }
        year = v;
        continue;
      }
      if (f.letter === 'M') {
        if (f.width >= 3) v = readName(MONTHS);
        else {
          v = readNum();
          if (v !== undefined) v -= 1;
        }
        if (v === undefined) return undefined;
        month = v;
        continue;
      }
      switch (f.letter) {
        case 'd':
          v = readNum();
          if (v !== undefined) day = v;
          break;
        case 'H':
        case 'k':
          v = readNum();
          if (v !== undefined) hour = f.letter === 'k' && v === 24 ? 0 : v;
          break;
        case 'h':
        case 'K':
          v = readNum();
          if (v !== undefined) hour = f.letter === 'h' && v === 12 ? 0 : v;
          break;
        case 'm':
          v = readNum();
          if (v !== undefined) minute = v;
          break;
        case 's':
          v = readNum();
          if (v !== undefined) second = v;
          break;
        case 'S':
          v = readNum();
          if (v !== undefined) ms = v;
          break;
        case 'E':
          v = readName(DAYS);
          break;
        case 'a': {
          const r = text.slice(pos, pos + 2).toUpperCase();
          if (r === 'AM' || r === 'PM') {
            pm = r === 'PM';
            pos += 2;
            v = 0;
          }
          break;
        }
        case 'Z':
        case 'X':
        case 'z': {
          const m = /^(?:GMT|UTC)?([+-])(\d{2}):?(\d{2})?/.exec(text.slice(pos));
          if (m) {
            offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
            pos += m[0].length;
            v = 0;
          } else if (text[pos] === 'Z' && f.letter === 'X') {
            offsetMin = 0;
            pos++;
            v = 0;
          } else if (/^(GMT|UTC)/.test(text.slice(pos))) {
            offsetMin = 0;
            pos += 3;
            v = 0;
          }
          break;
        }
        default:
          v = readNum();
      }
      if (v === undefined) return undefined;
    }
    if (pm) hour += 12;
    if (offsetMin !== undefined) return Date.UTC(year, month, day, hour, minute, second, ms) - offsetMin * 60_000;
    const d = new Date(year, month, day, hour, minute, second, ms);
    if (year < 100) d.setFullYear(year);
    return d.getTime();
  };
}
