// What xunit-viewer reads from a JUnit file, as JSON: its own parser
// (src/cli/parse.js, the one its console mode and its HTML page both run),
// reduced to what a reader of the viewer sees: each suite's name and
// properties (its attributes other than the counts, and its <property>
// elements), each test's name, classname, status, properties (the
// testcase's other attributes, such as file and line) and messages.
//
// usage: node xunit_viewer_read.mjs NODE_MODULES JUNIT.xml
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [modules, file] = process.argv.slice(2)
const parser = pathToFileURL(path.join(modules, 'xunit-viewer', 'src', 'cli', 'parse.js'))
const { default: parse } = await import(parser.href)
const read = await parse(fs.readFileSync(file, 'utf8'))
const visible = (properties) =>
  Object.fromEntries(Object.entries(properties || {}).filter(([key]) => key !== '_visible'))
const suites = Object.values(read.suites).map((suite) => ({
  name: suite.name,
  properties: visible(suite.properties),
  tests: Object.values(suite.tests).map((test) => ({
    name: test.name,
    classname: test.classname,
    status: test.status,
    time: test.time,
    properties: visible(test.properties),
    messages: test.messages
  }))
}))
console.log(JSON.stringify({ suites }, null, 1))
