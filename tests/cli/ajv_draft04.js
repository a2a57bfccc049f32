// Validates a JSON document against a JSON Schema draft-04 schema with ajv
// (through ajv-draft-04; ajv-cli reads draft-06 and later only).  The
// official SARIF 2.1.0 schema is draft-04.
// usage: node ajv_draft04.js NODE_MODULES SCHEMA FILE
// Prints "FILE valid" and exits 0, or "FILE invalid" and the errors, exit 1.
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, schemaPath, file] = process.argv.slice(2).map((p, i) => (i === 0 ? path.resolve(p) : p));
const Ajv = require(path.join(modules, 'ajv-draft-04'));
const addFormats = require(path.join(modules, 'ajv-formats'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
if (validate(JSON.parse(fs.readFileSync(file, 'utf8')))) {
	console.log(`${file} valid`);
} else {
	console.log(`${file} invalid`);
	console.log(JSON.stringify(validate.errors, null, 2));
	process.exit(1);
}
