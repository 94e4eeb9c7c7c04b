#!/usr/bin/env node
// statsig_mock.js - a small stand-in for Statsig's endpoints, on 127.0.0.1
// only, for the sync (and exposure) suites.  Node's http module; no npm
// packages.
//
//   node test/mock/statsig_mock.js PORT_FILE [SECRET]
//
// listens on a free port of 127.0.0.1 and writes it to PORT_FILE.  Routes
// (the shapes Server Core requests and receives):
//
//   GET  /v2/download_config_specs/{secret}.json[?sinceTime=N&checksum=C]
//   POST /v1/get_id_lists                   (statsig-api-key header)
//   GET  /id_lists/{name}                   (Range: bytes=N-)
//   POST /v1/log_event                      (gzip'd or plain JSON; recorded)
//
// A request without the right statsig-api-key gets 401.  The behaviour is
// set through the control endpoint, which the suites drive with curl:
//
//   POST /control  {"specs": {...}, "lists": {...}, ...}   (see setControl)
//   GET  /control/requests       every request seen: method, route, query,
//                                headers (the API key shown as "present"
//                                or "wrong"), body size
//   GET  /control/events         log_event payloads accepted (decoded, with
//                                their headers; the secret shown as
//                                "present"/"wrong")
//   GET  /control/log_event_attempts  log_event requests received, any answer
//   POST /control/reset_requests forget the recorded requests
//
// Failure modes ("mode" of specs / id_lists / log_event):
//   ok          recorded-shape responses
//   status      answer with "status" (500 unless given)
//   hang        accept the request, never answer
//   slow        drip the answer one byte every "drip_ms" (200) ms
//   truncated   announce the full Content-Length, send half, close
//   invalid     a body that is not JSON
// In mode ok, specs and manifests are gzip'd when the client accepts gzip
// ("gzip": false turns that off).
// and for specs only:
//   older       always serve "older_doc" (ignoring sinceTime)
//   invalid_doc serve valid JSON that is not a usable document
'use strict';

const http = require('http');
const fs = require('fs');
const zlib = require('zlib');
const crypto = require('crypto');

const portFile = process.argv[2];
if (!portFile) {
	process.stderr.write('usage: node statsig_mock.js PORT_FILE\n');
	process.exit(2);
}
const secret = process.argv[3] || 'secret-mock-0123456789abcdef';

const state = {
	specs: {mode: 'ok', status: 500, drip_ms: 200, gzip: true, doc: null, older_doc: null},
	id_lists: {mode: 'ok', status: 500, drip_ms: 200, gzip: true},
	list_files: {mode: 'ok', status: 500, drip_ms: 200},
	log_event: {mode: 'ok', status: 500, drip_ms: 200},
	// name -> {fileID, creationTime, content}
	lists: {},
	requests: [],
	events: [],
	log_event_attempts: 0,
	hung: [],
};

// The 8-character Statsig ID-list hash of a unit id.
function idHash(id) {
	return crypto.createHash('sha256').update(String(id)).digest('base64').slice(0, 8);
}

function record(req, route, body) {
	const key = req.headers['statsig-api-key'];
	state.requests.push({
		method: req.method,
		route: route,
		url_has_secret: req.url.includes(secret),
		query: Object.fromEntries(new URL(req.url, 'http://x').searchParams),
		api_key: key === undefined ? 'absent' : (key === secret ? 'present' : 'wrong'),
		sdk_type: req.headers['statsig-sdk-type'] || null,
		sdk_version: req.headers['statsig-sdk-version'] || null,
		session_id: req.headers['statsig-server-session-id'] || null,
		accept_encoding: req.headers['accept-encoding'] || null,
		content_encoding: req.headers['content-encoding'] || null,
		range: req.headers['range'] || null,
		body_bytes: body ? body.length : 0,
		at: Date.now(),
	});
	if (state.requests.length > 5000)
		state.requests.splice(0, 1000);
}

// Send a body according to a failure mode; returns true when handled.
function sendWithMode(res, cfg, status, headers, body) {
	const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
	switch (cfg.mode) {
		case 'status':
			res.writeHead(cfg.status || 500, {'content-type': 'text/plain'});
			res.end('mock failure\n');
			return;
		case 'hang':
			state.hung.push(res);
			return;
		case 'invalid':
			res.writeHead(200, {'content-type': 'application/json'});
			res.end('<html>this is not JSON</html>');
			return;
		case 'truncated': {
			const h = Object.assign({}, headers, {'content-length': String(buf.length)});
			res.writeHead(status, h);
			res.write(buf.subarray(0, Math.floor(buf.length / 2)));
			setTimeout(() => res.socket && res.socket.destroy(), 20);
			return;
		}
		case 'slow': {
			const h = Object.assign({}, headers, {'content-length': String(buf.length)});
			res.writeHead(status, h);
			let i = 0;
			const timer = setInterval(() => {
				if (i >= buf.length || res.destroyed) {
					clearInterval(timer);
					if (!res.destroyed)
						res.end();
					return;
				}
				res.write(buf.subarray(i, i + 1));
				i++;
			}, cfg.drip_ms || 200);
			res.on('close', () => clearInterval(timer));
			return;
		}
		default:
			// compressed as Statsig's CDN does when the client accepts it
			if (cfg.gzip && /\bgzip\b/.test(res.req.headers['accept-encoding'] || '')) {
				const z = zlib.gzipSync(buf);
				res.writeHead(status, Object.assign({}, headers,
					{'content-encoding': 'gzip', 'content-length': String(z.length)}));
				res.end(z);
				return;
			}
			res.writeHead(status, Object.assign({}, headers, {'content-length': String(buf.length)}));
			res.end(buf);
	}
}

function json(res, status, obj) {
	const body = JSON.stringify(obj);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
	res.end(body);
}

function unauthorized(req, res) {
	if (req.headers['statsig-api-key'] !== secret) {
		json(res, 401, {message: 'invalid key'});
		return true;
	}
	return false;
}

function serveSpecs(req, res, urlSecret) {
	const q = new URL(req.url, 'http://x').searchParams;
	const since = Number(q.get('sinceTime') || 0);
	const cfg = state.specs;
	if (urlSecret !== secret || unauthorized(req, res)) {
		if (!res.headersSent)
			json(res, 401, {message: 'invalid key'});
		return;
	}
	let body;
	if (cfg.mode === 'older')
		body = JSON.stringify(cfg.older_doc);
	else if (cfg.mode === 'invalid_doc')
		body = JSON.stringify({has_updates: true, time: (cfg.doc ? cfg.doc.time : 0) + 1000,
			response_format: 'dcs-v2', feature_gates: {broken: {type: 'feature_gate', rules: 'not a list'}}});
	else if (cfg.doc && cfg.auto_advance) {
		// a new document at every poll (benchmarks: a sync applied each time)
		cfg.doc.time = Math.max(cfg.doc.time, since) + 1;
		body = JSON.stringify(cfg.doc);
	} else if (!cfg.doc || (since > 0 && since >= cfg.doc.time))
		body = JSON.stringify({has_updates: false});
	else
		body = JSON.stringify(cfg.doc);
	sendWithMode(res, cfg, 200, {'content-type': 'application/json'}, body);
}

function serveManifest(req, res, port) {
	if (unauthorized(req, res))
		return;
	const manifest = {};
	for (const [name, l] of Object.entries(state.lists)) {
		manifest[name] = {
			name: name,
			size: Buffer.byteLength(l.content),
			url: `http://127.0.0.1:${port}/id_lists/${encodeURIComponent(name)}`,
			creationTime: l.creationTime,
			fileID: l.fileID,
		};
	}
	sendWithMode(res, state.id_lists, 200, {'content-type': 'application/json'}, JSON.stringify(manifest));
}

function serveListFile(req, res, name) {
	const l = state.lists[name];
	if (!l) {
		json(res, 404, {message: 'no such list'});
		return;
	}
	const buf = Buffer.from(l.content);
	const m = /^bytes=(\d+)-$/.exec(req.headers['range'] || '');
	if (!m) {
		sendWithMode(res, state.list_files, 200, {'content-type': 'text/plain'}, buf);
		return;
	}
	const start = Number(m[1]);
	if (start >= buf.length) {
		res.writeHead(416, {'content-range': `bytes */${buf.length}`});
		res.end();
		return;
	}
	sendWithMode(res, state.list_files, 206, {
		'content-type': 'text/plain',
		'content-range': `bytes ${start}-${buf.length - 1}/${buf.length}`,
	}, buf.subarray(start));
}

function serveLogEvent(req, res, body) {
	if (unauthorized(req, res))
		return;
	let payload;
	try {
		const text = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body).toString() : body.toString();
		payload = JSON.parse(text);
	} catch (e) {
		json(res, 400, {message: 'bad payload: ' + e.message});
		return;
	}
	// /control/events lists the payloads the mock accepted (answered 2xx),
	// with the request's headers; refused and hung ones are only counted
	state.log_event_attempts++;
	if (state.log_event.mode === 'ok')
		state.events.push(Object.assign(payload, {
			headers: {
				'content-type': req.headers['content-type'] || null,
				'content-encoding': req.headers['content-encoding'] || null,
				'statsig-api-key': req.headers['statsig-api-key'] === secret ? 'present' : 'wrong',
				'statsig-event-count': req.headers['statsig-event-count'] || null,
				'statsig-sdk-type': req.headers['statsig-sdk-type'] || null,
				'statsig-sdk-version': req.headers['statsig-sdk-version'] || null,
				'statsig-client-time': req.headers['statsig-client-time'] || null,
				'statsig-retry-count': req.headers['statsig-retry-count'] || null,
				'statsig-server-session-id': req.headers['statsig-server-session-id'] || null,
			},
		}));
	sendWithMode(res, state.log_event, 202, {'content-type': 'application/json'}, JSON.stringify({success: true}));
}

// Apply a control message.  Keys (all optional):
//   specs:    {mode, status, drip_ms, gzip, doc, older_doc, auto_advance}
//             merged; auto_advance serves a newer doc at every request
//   id_lists / list_files / log_event: {mode, status, drip_ms}  merged
//   lists:    {name: {ids: [...] | content: "+h\n", fileID, creationTime,
//              append: [...ids], remove: [...ids]} | null}  per list:
//              null drops it; ids/content replace it; append/remove add
//              "+hash"/"-hash" lines to its file
//   release_hung: true   close every hung response
function setControl(msg) {
	for (const k of ['specs', 'id_lists', 'list_files', 'log_event'])
		if (msg[k])
			Object.assign(state[k], msg[k]);
	if (msg.lists) {
		for (const [name, l] of Object.entries(msg.lists)) {
			if (l === null) {
				delete state.lists[name];
				continue;
			}
			const cur = state.lists[name] || {fileID: 'file-' + name, creationTime: 1, content: ''};
			if (l.ids)
				cur.content = l.ids.map((id) => '+' + idHash(id) + '\n').join('');
			if (l.content !== undefined)
				cur.content = l.content;
			if (l.append)
				cur.content += l.append.map((id) => '+' + idHash(id) + '\n').join('');
			if (l.remove)
				cur.content += l.remove.map((id) => '-' + idHash(id) + '\n').join('');
			if (l.fileID)
				cur.fileID = l.fileID;
			if (l.creationTime)
				cur.creationTime = l.creationTime;
			state.lists[name] = cur;
		}
	}
	if (msg.release_hung) {
		for (const r of state.hung)
			if (r.socket)
				r.socket.destroy();
		state.hung = [];
	}
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const path = new URL(req.url, 'http://x').pathname;
		const port = server.address().port;
		let m;
		try {
			if (req.method === 'POST' && path === '/control') {
				setControl(JSON.parse(body.toString() || '{}'));
				json(res, 200, {ok: true});
			} else if (req.method === 'GET' && path === '/control/requests') {
				json(res, 200, state.requests);
			} else if (req.method === 'GET' && path === '/control/events') {
				json(res, 200, state.events);
			} else if (req.method === 'GET' && path === '/control/log_event_attempts') {
				json(res, 200, {attempts: state.log_event_attempts});
			} else if (req.method === 'POST' && path === '/control/reset_requests') {
				state.requests = [];
				state.events = [];
				state.log_event_attempts = 0;
				json(res, 200, {ok: true});
			} else if (req.method === 'GET' && (m = /^\/v2\/download_config_specs\/([^/]+)\.json$/.exec(path))) {
				record(req, 'download_config_specs', body);
				serveSpecs(req, res, decodeURIComponent(m[1]));
			} else if (req.method === 'POST' && path === '/v1/get_id_lists') {
				record(req, 'get_id_lists', body);
				serveManifest(req, res, port);
			} else if (req.method === 'GET' && (m = /^\/id_lists\/([^/]+)$/.exec(path))) {
				record(req, 'id_list_file', body);
				serveListFile(req, res, decodeURIComponent(m[1]));
			} else if (req.method === 'POST' && path === '/v1/log_event') {
				record(req, 'log_event', body);
				serveLogEvent(req, res, body);
			} else {
				json(res, 404, {message: 'no route'});
			}
		} catch (e) {
			json(res, 500, {message: String(e)});
		}
	});
});

server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(portFile + '.tmp', String(server.address().port));
	fs.renameSync(portFile + '.tmp', portFile);
});

for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
