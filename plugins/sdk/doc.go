// Package sdk defines the interface every Pynomaly detector implements,
// whether it is compiled into the agent or runs as an external plugin.
//
// A Factory makes one Streaming instance per series. An instance is owned by
// one goroutine at a time: the agent never calls one instance concurrently,
// but it does score different series' instances in parallel, so instances
// must not share mutable state.
//
// The package imports only the protocol package of this module, never agent
// or control-plane code, so plugin authors depend on nothing else.
package sdk
