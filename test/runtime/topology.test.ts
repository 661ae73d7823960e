// Several agents of one file in one process: links between them resolve to the address their
// source listens on here, receivers start before their senders, and senders stop first.
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/program.js';
import { runtimeConfig } from '../../compiler/emit/runtime-config.js';
import { agentLinks } from '../../compiler/links.js';
import { Logger } from '../../runtime/core/log.js';
import { dynamicRegistry } from '../../runtime/loader.js';
import { Runner } from '../../runtime/main.js';

const tiers = `
agent edge on "edge-1.example.com" {
  source app : seq { totalEvents = 0 }
  channel buf : memory
  sink up : avro { to = collector.rpc }
  app -> buf -> up
}
agent collector on "collector-1.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4545 }
  channel mem : memory
  sink down : avro { hostname = "archive.example.com", port = 4546 }
  rpc -> mem -> down
}
agent archive on "archive.example.com" {
  source rpc : avro { bind = "127.0.0.2", port = 4546 }
  channel mem : memory
  sink out : null
  rpc -> mem -> out
}
`;

function compile(text: string) {
  const r = compileText(text, 'tiers.flow');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.program;
}

describe('topologies', () => {
  it('finds the links by `to` and by hostname and port', () => {
    expect(agentLinks(compile(tiers))).toEqual([
      { agent: 'edge', sink: 'up', to: { agent: 'collector', source: 'rpc' } },
      { agent: 'collector', sink: 'down', to: { agent: 'archive', source: 'rpc' } },
    ]);
  });

  it('sends a linked sink to the source in this process when both agents run here, else to the host as written', () => {
    const program = compile(tiers);
    const sinkOf = (agent: string, localAgents?: Set<string>) =>
      runtimeConfig(program, program.agents.find((a) => a.name === agent)!, localAgents ? { localAgents } : {}).config.sinks[0]!.params;
    const all = new Set(['edge', 'collector', 'archive']);
    expect(sinkOf('edge', all)).toMatchObject({ hostname: '127.0.0.1', port: 4545 });
    expect(sinkOf('collector', all)).toMatchObject({ hostname: '127.0.0.2', port: 4546 });
    // Run alone, an agent sends where the file says.
    expect(sinkOf('edge', new Set(['edge']))).toMatchObject({ hostname: 'collector-1.example.com', port: 4545 });
    expect(sinkOf('collector')).toMatchObject({ hostname: 'archive.example.com', port: 4546 });
  });

  it('orders the agents in tiers, senders first, whatever the order of the file', async () => {
    const agent = (name: string) => `agent ${name} { source s : seq { totalEvents = 0 } \n channel c : memory \n sink k : null \n s -> c -> k }`;
    const r = compileText(['archive', 'edge', 'collector', 'lonely'].map(agent).join('\n'), 't.flow');
    const configs = r.program.agents.map((a) => runtimeConfig(r.program, a).config);
    const { log } = Logger.memory('info');
    const runner = await Runner.start(configs, {
      registry: dynamicRegistry,
      log,
      links: [
        { from: 'collector', to: 'archive' },
        { from: 'edge', to: 'collector' },
      ],
    });
    try {
      expect(runner.tiers().map((t) => t.map((a) => a.name))).toEqual([['edge', 'lonely'], ['collector'], ['archive']]);
      runner.setLinks([
        { from: 'edge', to: 'collector' },
        { from: 'collector', to: 'edge' },
      ]);
      // A cycle has no first sender: its agents stop together, after what feeds them.
      expect(runner.tiers().map((t) => t.map((a) => a.name))).toEqual([['archive', 'lonely'], ['edge', 'collector']]);
    } finally {
      await runner.stop(0);
    }
  });
});
