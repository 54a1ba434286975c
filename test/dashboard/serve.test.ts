import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { resolveStaticPath, serveDashboard } from '../../src/dashboard/serve';
import { tmpDir } from '../helpers/tmp';

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    // Raw request so the client does not normalize "/../" away before it reaches the server.
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: url.slice(url.indexOf('/', 8)), method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server', () => {
  let root: string;
  let site: string;
  before(() => {
    root = tmpDir('serve');
    site = path.join(root, 'site');
    fs.mkdirSync(path.join(site, 'data'), { recursive: true });
    fs.writeFileSync(path.join(site, 'index.html'), '<h1>ok</h1>');
    fs.writeFileSync(path.join(site, 'data', 'a.js'), 'x=1');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(site, 'link.txt'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('resolves paths inside the root only', () => {
    const r = fs.realpathSync(site);
    assert.equal(resolveStaticPath(r, '/'), path.join(r, 'index.html'));
    assert.equal(resolveStaticPath(r, '/data/a.js?x=1'), path.join(r, 'data', 'a.js'));
    assert.equal(resolveStaticPath(r, '/../secret.txt'), path.join(r, 'secret.txt'));
    assert.equal(resolveStaticPath(r, '/%E0%A4%A'), undefined);
    assert.equal(resolveStaticPath(r, '/a%00b'), undefined);
  });

  it('serves files with types and refuses traversal, symlinks out, and writes', async () => {
    const s = await serveDashboard(site, 0);
    try {
      const index = await get(s.url);
      assert.equal(index.status, 200);
      assert.equal(index.body, '<h1>ok</h1>');
      assert.match(index.type, /text\/html/);
      assert.match((await get(`${s.url}data/a.js`)).type, /javascript/);
      for (const p of ['../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', 'data/../../secret.txt', 'link.txt']) {
        const r = await get(`${s.url}${p}`);
        assert.ok(r.status === 404 || r.status === 400, `${p} → ${String(r.status)}`);
        assert.ok(!r.body.includes('secret'), p);
      }
      assert.equal((await get(s.url, 'POST')).status, 405);
      assert.equal((await get(`${s.url}missing.js`)).status, 404);
    } finally {
      await s.close();
    }
    await assert.rejects(serveDashboard(root, 0), /has no index.html/);
  });
});
