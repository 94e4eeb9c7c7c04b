'use strict';
// ID lists: fixtures keep raw unit ids; both SDKs receive Statsig's list-file format,
// one "+<first 8 chars of base64(sha256(id))>" line per id.
const crypto = require('crypto');
const http = require('http');

function hashForIdList(id) {
  return crypto.createHash('sha256').update(String(id)).digest('base64').slice(0, 8);
}

function listFile(ids) {
  return ids.map((id) => `+${hashForIdList(id)}\n`).join('');
}

// A loopback-only HTTP server speaking the get_id_lists protocol (manifest via POST,
// list files via GET). Used for @statsig/statsig-node-core, whose only ID-list source
// is HTTP. Resolves to { url, close, requests }.
function startIdListServer(idLists) {
  const requests = [];
  const files = Object.fromEntries(Object.entries(idLists).map(([k, ids]) => [k, listFile(ids)]));
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const base = `http://127.0.0.1:${server.address().port}`;
    if (req.url.startsWith('/v1/get_id_lists')) {
      const manifest = {};
      for (const [name, body] of Object.entries(files)) {
        manifest[name] = {
          name,
          size: Buffer.byteLength(body),
          url: `${base}/id_list_file/${encodeURIComponent(name)}`,
          creationTime: 1700000000000,
          fileID: `file_${name}`,
        };
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(manifest));
      return;
    }
    const m = req.url.match(/^\/id_list_file\/([^?]+)/);
    if (m && files[decodeURIComponent(m[1])] !== undefined) {
      res.end(files[decodeURIComponent(m[1])]);
      return;
    }
    // anything else (spec or event endpoints) is refused: the specs come from the data store
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({
        base,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

module.exports = { hashForIdList, listFile, startIdListServer };
