import { execa } from 'execa';

/**
 * A lab host's network for tests: a network namespace of its own, joined to this machine by one
 * veth pair on a private /30. Inside it, 127.0.0.1 is the lab's own loopback and the lab's address
 * is the only way in, so whatever virtbench reaches there goes over SSH to that address (a guest's
 * forwarded port on the lab's loopback is not reachable from here). The filesystem and process
 * table are this machine's: it is a lab in network terms only. Removed by the name it was made
 * with (the veth goes with the namespace).
 */
export interface LabNetns {
  name: string;
  /** The lab's address (inside the namespace). */
  labAddress: string;
  /** This machine's end of the veth. */
  hostAddress: string;
  hostVeth: string;
  remove(): Promise<void>;
}

const ip = (args: string[]) => execa('ip', args, { stdin: 'ignore' });

export async function canMakeNetns(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  return (await execa('ip', ['netns', 'list'], { reject: false })).exitCode === 0;
}

/** `tag`: a few letters of the test's own (names are 15 characters at most). */
export async function createLabNetns(tag: string): Promise<LabNetns> {
  const id = `${tag}${process.pid % 100_000}`;
  const name = `vbt-${id}`;
  const hostVeth = `vh${id}`.slice(0, 15);
  const labVeth = `vn${id}`.slice(0, 15);
  // A /30 no route of this machine covers yet.
  const routes = String((await execa('ip', ['-4', 'route', 'show'], { reject: false })).stdout);
  let octet = 1 + (process.pid % 250);
  for (let i = 0; i < 250 && routes.includes(`10.253.${octet}.`); i++) octet = 1 + ((octet + 1) % 250);
  const hostAddress = `10.253.${octet}.1`;
  const labAddress = `10.253.${octet}.2`;
  await ip(['netns', 'add', name]);
  let madeVeth = false;
  const remove = async () => {
    await execa('ip', ['netns', 'del', name], { reject: false, stdin: 'ignore' });
    // Gone with the namespace, normally; an interface of that name that this call did not make is left alone.
    if (madeVeth) await execa('ip', ['link', 'del', hostVeth], { reject: false, stdin: 'ignore' });
  };
  try {
    await ip(['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', labVeth]);
    madeVeth = true;
    await ip(['link', 'set', labVeth, 'netns', name]);
    await ip(['addr', 'add', `${hostAddress}/30`, 'dev', hostVeth]);
    await ip(['link', 'set', hostVeth, 'up']);
    await ip(['-n', name, 'addr', 'add', `${labAddress}/30`, 'dev', labVeth]);
    await ip(['-n', name, 'link', 'set', labVeth, 'up']);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await remove();
    throw e;
  }
  return { name, labAddress, hostAddress, hostVeth, remove };
}

/** Whether a network namespace of that name exists (a leak check). */
export async function netnsExists(name: string): Promise<boolean> {
  const out = String((await execa('ip', ['netns', 'list'], { reject: false })).stdout);
  return out.split('\n').some((l) => l.split(/\s/)[0] === name);
}
