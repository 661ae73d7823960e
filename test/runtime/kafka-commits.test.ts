// BackgroundCommits (runtime/lib/kafka-offsets.ts): the Kafka source's offset commits beside its
// batches. One commit in flight at a time, offsets added meanwhile merged into the next (the
// highest per partition), a failed commit's offsets carried by the next, flush waits for all.
import { describe, expect, it } from 'vitest';
import { BackgroundCommits, type OffsetToCommit } from '../../runtime/lib/kafka-offsets.js';

const at = (partition: number, offset: number): OffsetToCommit => ({ topic: 't', partition, offset: BigInt(offset), leaderEpoch: -1 });
const tick = () => new Promise((r) => setImmediate(r));

function broker() {
  const commits: { offsets: string[]; answer: (ok: boolean) => void }[] = [];
  let inFlight = 0;
  let most = 0;
  const commit = (offsets: OffsetToCommit[]) =>
    new Promise<boolean>((resolve) => {
      most = Math.max(most, ++inFlight);
      commits.push({
        offsets: offsets.map((o) => `${o.partition}@${o.offset}`).sort(),
        answer: (ok) => {
          inFlight--;
          resolve(ok);
        },
      });
    });
  return { commits, commit, most: () => most };
}

describe('offset commits in the background', () => {
  it('one commit at a time; what is added meanwhile goes in the next, highest offset per partition', async () => {
    const b = broker();
    const commits = new BackgroundCommits(b.commit);
    commits.add([at(0, 10), at(1, 5)]);
    await tick();
    commits.add([at(0, 20)]);
    commits.add([at(0, 15), at(2, 7)]);
    await tick();
    expect(b.commits.map((c) => c.offsets)).toEqual([['0@10', '1@5']]);
    b.commits[0]!.answer(true);
    await tick();
    expect(b.commits.map((c) => c.offsets)).toEqual([['0@10', '1@5'], ['0@20', '2@7']]);
    let flushed = false;
    const f = commits.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    b.commits[1]!.answer(true);
    await f;
    expect(b.most()).toBe(1);
  });

  it('a failed commit stops the loop; its offsets go with the next add unless newer ones replaced them', async () => {
    const b = broker();
    const commits = new BackgroundCommits(b.commit);
    commits.add([at(0, 10), at(1, 5)]);
    await tick();
    b.commits[0]!.answer(false);
    await commits.flush();
    expect(b.commits).toHaveLength(1);
    commits.add([at(0, 12)]);
    await tick();
    expect(b.commits[1]!.offsets).toEqual(['0@12', '1@5']);
    b.commits[1]!.answer(true);
    await commits.flush();
  });
});
