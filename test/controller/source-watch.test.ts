/**
 * The source watcher cannot go deaf: with the periodic rescan off, its directory watches alone
 * notice every kind of change, including the next change after each one that replaces an inode
 * (atomic saves, directories removed and re-created, ConfigMap `..data` swaps).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { watchSources, type Watcher } from '../../controller/source-watch.js';
import { silentLogger } from '../../telemetry/index.js';
import { eventually } from '../support/poll.js';

describe('the source watcher', () => {
  let root: string;
  let policies: string;
  let configMap: string;
  let inventoryDir: string;
  let watcher: Watcher;
  let changes = 0;

  /** Waits until no change was reported for a while, so one step's events do not count for the next. */
  const settle = async () => {
    let seen = -1;
    let since = Date.now();
    await eventually(() => {
      if (changes !== seen) [seen, since] = [changes, Date.now()];
      return Date.now() - since > 250;
    }, 'the watcher to settle', 10_000);
  };
  const noticed = async (what: string, change: () => void) => {
    await settle();
    const before = changes;
    change();
    await eventually(() => changes > before, `the watcher to notice: ${what}`, 5000);
  };
  const write = (p: string, text: string) => fs.writeFileSync(p, text);
  let generation = 0;
  /** A kubelet ConfigMap update: a new timestamped directory, a new `..data` symlink renamed over the old one, the old directory deleted. */
  const swapConfigMap = (text: string) => {
    const old = fs.readlinkSync(path.join(configMap, '..data'));
    const next = `..2026_12_01_00_00_0${++generation}.000000001`;
    fs.mkdirSync(path.join(configMap, next));
    write(path.join(configMap, next, 'web.yaml'), text);
    fs.symlinkSync(next, path.join(configMap, '..data_tmp'));
    fs.renameSync(path.join(configMap, '..data_tmp'), path.join(configMap, '..data'));
    fs.rmSync(path.join(configMap, old), { recursive: true });
  };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-watch-test-'));
    policies = path.join(root, 'policies');
    fs.mkdirSync(path.join(policies, 'team'), { recursive: true });
    write(path.join(policies, 'a.yaml'), 'a: 0');
    write(path.join(policies, 'team', 't.yaml'), 't: 0');
    configMap = path.join(root, 'configmap');
    fs.mkdirSync(path.join(configMap, '..2026_12_01_00_00_00.000000001'), { recursive: true });
    write(path.join(configMap, '..2026_12_01_00_00_00.000000001', 'web.yaml'), 'w: 0');
    fs.symlinkSync('..2026_12_01_00_00_00.000000001', path.join(configMap, '..data'));
    fs.symlinkSync('..data/web.yaml', path.join(configMap, 'web.yaml'));
    inventoryDir = path.join(root, 'etc');
    fs.mkdirSync(inventoryDir);
    write(path.join(inventoryDir, 'inventory.yaml'), 'i: 0');
    watcher = watchSources({ paths: [policies, configMap, path.join(inventoryDir, 'inventory.yaml')], onChange: () => changes++, logger: silentLogger, quietMs: 20, maxDelayMs: 200, rescanMs: 0 });
  });

  afterAll(() => {
    watcher?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('watches every directory of the trees and the directory of each root', () => {
    expect(watcher.directories()).toEqual([root, configMap, inventoryDir, policies, path.join(policies, 'team')].sort());
  });

  it('notices writes, and writes after an atomic save replaced the file', async () => {
    await noticed('a write', () => write(path.join(policies, 'a.yaml'), 'a: 1'));
    await noticed('an atomic save', () => {
      write(path.join(policies, 'a.yaml.tmp'), 'a: 2');
      fs.renameSync(path.join(policies, 'a.yaml.tmp'), path.join(policies, 'a.yaml'));
    });
    await noticed('a write after the atomic save', () => write(path.join(policies, 'a.yaml'), 'a: 3'));
    await noticed('a chmod', () => fs.chmodSync(path.join(policies, 'a.yaml'), 0o600));
  });

  it('notices files and directories moved in from elsewhere, and writes inside them', async () => {
    await noticed('a file moved in', () => {
      write(path.join(root, 'm.yaml'), 'm: 0');
      fs.renameSync(path.join(root, 'm.yaml'), path.join(policies, 'm.yaml'));
    });
    await noticed('a directory moved in', () => {
      fs.mkdirSync(path.join(root, 'incoming'));
      write(path.join(root, 'incoming', 'n.yaml'), 'n: 0');
      fs.renameSync(path.join(root, 'incoming'), path.join(policies, 'incoming'));
    });
    await noticed('a write in the moved-in directory', () => write(path.join(policies, 'incoming', 'n.yaml'), 'n: 1'));
  });

  it('notices a directory removed and re-created, and writes inside it afterwards', async () => {
    const team = path.join(policies, 'team');
    await noticed('a directory removed', () => fs.rmSync(team, { recursive: true }));
    await noticed('a directory re-created', () => {
      fs.mkdirSync(team);
      write(path.join(team, 't.yaml'), 't: 1');
    });
    await noticed('a write in the re-created directory', () => write(path.join(team, 't.yaml'), 't: 2'));
    await noticed('a directory removed and re-created at once', () => {
      fs.rmSync(team, { recursive: true });
      fs.mkdirSync(team);
      write(path.join(team, 't.yaml'), 't: 3');
    });
    await noticed('a write in the directory re-created at once', () => write(path.join(team, 't.yaml'), 't: 4'));
  });

  it('notices the whole tree removed and re-created, and writes inside it afterwards', async () => {
    await noticed('the tree removed', () => fs.rmSync(policies, { recursive: true }));
    await noticed('the tree re-created', () => {
      fs.mkdirSync(policies);
      write(path.join(policies, 'a.yaml'), 'a: 4');
    });
    await noticed('a write in the re-created tree', () => write(path.join(policies, 'a.yaml'), 'a: 5'));
    await noticed('the tree replaced by a rename', () => {
      fs.mkdirSync(path.join(root, 'policies.new'));
      write(path.join(root, 'policies.new', 'a.yaml'), 'a: 6');
      fs.renameSync(policies, path.join(root, 'policies.old'));
      fs.renameSync(path.join(root, 'policies.new'), policies);
      fs.rmSync(path.join(root, 'policies.old'), { recursive: true });
    });
    await noticed('a write in the tree that replaced it', () => write(path.join(policies, 'a.yaml'), 'a: 7'));
  });

  it('notices ConfigMap updates (..data symlink swaps), one after another', async () => {
    await noticed('a first swap', () => swapConfigMap('w: 1'));
    await noticed('a second swap', () => swapConfigMap('w: 2'));
  });

  it('notices a file root whose directory is removed and re-created, and writes to it afterwards', async () => {
    const inventory = path.join(inventoryDir, 'inventory.yaml');
    await noticed('the directory removed', () => fs.rmSync(inventoryDir, { recursive: true }));
    await noticed('the directory re-created', () => {
      fs.mkdirSync(inventoryDir);
      write(inventory, 'i: 1');
    });
    await noticed('a write after', () => write(inventory, 'i: 2'));
    await noticed('the directory removed and re-created at once', () => {
      fs.rmSync(inventoryDir, { recursive: true });
      fs.mkdirSync(inventoryDir);
      write(inventory, 'i: 2.5');
    });
    await noticed('a write after that', () => write(inventory, 'i: 2.6'));
    await noticed('an atomic save of it', () => {
      write(`${inventory}.new`, 'i: 3');
      fs.renameSync(`${inventory}.new`, inventory);
    });
  });

  it('ignores what happens beside a file root', async () => {
    await settle();
    const before = changes;
    write(path.join(inventoryDir, 'unrelated.txt'), 'x');
    await noticed('a write to the root itself (after the unrelated one)', () => write(path.join(inventoryDir, 'inventory.yaml'), 'i: 4'));
    expect(changes).toBe(before + 1);
  });
});
