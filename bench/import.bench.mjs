// Import benchmark (issue 3): a generated flume.properties of 20,000 lines → formatted .flow.
// Target: under 1 s. Runs in a fresh process so the figure includes what a CLI run pays.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { readFlumeConfig } from '../dist/compiler/flume/read-config.js';
import { importConfig } from '../dist/compiler/import/import.js';
import { formatFlow } from '../dist/compiler/format/printer.js';

function generateProperties(targetLines) {
  const lines = ['# generated for the import benchmark'];
  let a = 0;
  while (lines.length < targetLines) {
    const agent = `agent${a++}`;
    const n = 20;
    lines.push(`${agent}.sources = ${Array.from({ length: n }, (_, i) => `r${i}`).join(' ')}`);
    lines.push(`${agent}.channels = ${Array.from({ length: n }, (_, i) => `c${i}`).join(' ')}`);
    lines.push(`${agent}.sinks = ${Array.from({ length: n }, (_, i) => `k${i}`).join(' ')}`);
    for (let i = 0; i < n; i++) {
      lines.push(
        `# source ${i}`,
        `${agent}.sources.r${i}.type = netcat`,
        `${agent}.sources.r${i}.bind = 0.0.0.0`,
        `${agent}.sources.r${i}.port = ${10000 + i}`,
        `${agent}.sources.r${i}.channels = c${i}`,
        `${agent}.sources.r${i}.interceptors = ts`,
        `${agent}.sources.r${i}.interceptors.ts.type = timestamp`,
        `${agent}.channels.c${i}.type = memory`,
        `${agent}.channels.c${i}.capacity = 100000`,
        `${agent}.channels.c${i}.transactionCapacity = 1000`,
        `${agent}.channels.c${i}.keep-alive = 3`,
        `${agent}.sinks.k${i}.type = hdfs`,
        `${agent}.sinks.k${i}.channel = c${i}`,
        `${agent}.sinks.k${i}.hdfs.path = /flume/${agent}/k${i}/%Y-%m-%d`,
        `${agent}.sinks.k${i}.hdfs.rollInterval = 300`,
        `${agent}.sinks.k${i}.hdfs.rollSize = 134217728`,
        `${agent}.sinks.k${i}.hdfs.batchSize = 1000`,
      );
    }
  }
  return lines.slice(0, targetLines).join('\n') + '\n';
}

const text = generateProperties(20_000);
const t0 = performance.now();
const config = readFlumeConfig(text, 'bench.properties');
const t1 = performance.now();
const flow = importConfig(config, 'bench.flow');
const t2 = performance.now();
const out = formatFlow(flow);
const t3 = performance.now();
const fmt = (n) => `${n.toFixed(0)} ms`;
const total = t3 - t0;
console.log(`import: 20,000 properties lines, ${config.agents.length} agents → ${out.split('\n').length} .flow lines (${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`);
console.log(`  read ${fmt(t1 - t0)}, import ${fmt(t2 - t1)}, format ${fmt(t3 - t2)}, total ${fmt(total)}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(`  target: total < 1000 ms -> ${total < 1000 ? 'met' : 'NOT met'}`);
