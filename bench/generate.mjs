// Generates a large, valid .flow file: `agents` agents of `perAgent` components each.
export function generateFlow(agents = 100, perAgent = 100) {
  const out = ['// generated for the compiler benchmark', 'let root = "/var/lib/flume"', ''];
  const sources = Math.floor(perAgent * 0.3);
  const channels = sources;
  const sinks = perAgent - sources - channels;
  for (let a = 0; a < agents; a++) {
    out.push(`agent agent${a} on "host-${a}.example.com" {`);
    for (let i = 0; i < channels; i++) {
      out.push(`  channel c${i} : memory { capacity = 10_000, transactionCapacity = 1_000, keep-alive = 3s }`);
    }
    for (let i = 0; i < sources; i++) {
      out.push(`  source r${i} : netcat {`, `    bind = "0.0.0.0"`, `    port = ${10000 + i}`, `    max-line-length = 2048`, `  }`);
    }
    for (let i = 0; i < sinks; i++) {
      out.push(`  sink k${i} : hdfs { hdfs { path = root + "/a${a}/k${i}/%Y-%m-%d", rollInterval = 5m, rollSize = 128MB, batchSize = 500 } }`);
    }
    for (let i = 0; i < sources; i++) out.push(`  r${i} | timestamp | host { useIP = false } -> c${i}`);
    for (let i = 0; i < sinks; i++) out.push(`  c${i % channels} -> k${i}`);
    out.push('}', '');
  }
  return out.join('\n');
}
