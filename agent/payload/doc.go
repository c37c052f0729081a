// Package payload turns one MQTT message into samples. It knows five
// payload formats (JSON objects, a bare number, CSV lines, InfluxDB line
// protocol and SenML JSON) and topic templates that turn named wildcard
// levels of a topic into labels. README.md describes the formats for users.
//
// Bad input never panics and never blocks: Parse returns an *Error whose
// Reason is one of agent/input's Reason* constants, so file and MQTT inputs
// count bad data under the same metric labels. A payload of several parts
// (CSV or influx lines, SenML records) is used part by part: Parse returns
// the good parts' samples together with an *Error describing the first bad
// part and counting all of them.
//
// Ownership: a Parser and a Template are immutable once built and safe for
// concurrent use. A Sample's Values and Labels belong to the caller; its
// Fields may be shared with other samples and with the Parser, so treat it
// as read-only.
package payload
