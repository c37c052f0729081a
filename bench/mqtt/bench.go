package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

type config struct {
	agent, mosquitto, sub string
	detector              string
	// profile, when set, receives a CPU profile of the agent during the
	// QoS 0 run; heapProfile a heap profile after the last series count.
	profile, heapProfile string
	messages, publishers int
	series               []int
	// fill is the messages per series for the memory figures.
	fill       int
	throughput bool
	// fullPrecision publishes values with all 17 digits instead of three
	// decimals: what zscore cannot store as short mantissas.
	fullPrecision bool
	// queue is the agent's MQTT queue (and receive maximum); 0 leaves its
	// default.
	queue int
	// memoryLimit is the agent's agent.memory_limit ("": none).
	memoryLimit string
}

func parse(args []string) (config, error) {
	fs := flag.NewFlagSet("bench/mqtt", flag.ContinueOnError)
	var c config
	var series string
	fs.StringVar(&c.agent, "agent", "bin/pynomaly-agent", "the pynomaly-agent binary")
	fs.StringVar(&c.mosquitto, "mosquitto", "mosquitto", "the mosquitto binary")
	fs.StringVar(&c.sub, "mosquitto-sub", "mosquitto_sub", "the mosquitto_sub binary")
	fs.IntVar(&c.messages, "messages", 200000, "messages per throughput run")
	fs.StringVar(&c.detector, "detector", "zscore", "the agent's detector")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the agent during the QoS 0 run to this file")
	fs.StringVar(&c.heapProfile, "heapprofile", "", "write a heap profile of the agent after the last -series count to this file")
	fs.BoolVar(&c.throughput, "throughput", true, "measure throughput (-throughput=false measures memory only)")
	fs.IntVar(&c.publishers, "publishers", 8, "publishing connections (QoS 1 needs several to keep the pipe full)")
	fs.StringVar(&series, "series", "1,1000,10000", "series counts to measure memory at")
	fs.IntVar(&c.fill, "fill", 1, "messages per series for the memory figures (zscore's window is 256)")
	fs.BoolVar(&c.fullPrecision, "full-precision", false, "publish values with all 17 digits, not three decimals")
	fs.IntVar(&c.queue, "queue", 0, "the agent's MQTT queue and receive maximum (0: its default)")
	fs.StringVar(&c.memoryLimit, "memory-limit", "", "the agent's agent.memory_limit, e.g. 32MiB (default: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.fill < 1 {
		return c, fmt.Errorf("-fill %d: want at least 1", c.fill)
	}
	for _, s := range strings.Split(series, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c, fmt.Errorf("-series %q: want positive integers", series)
		}
		c.series = append(c.series, n)
	}
	for _, bin := range []*string{&c.agent, &c.mosquitto, &c.sub} {
		p, err := exec.LookPath(*bin)
		if err != nil && *bin == "mosquitto" {
			p, err = exec.LookPath("/usr/sbin/mosquitto")
		}
		if err != nil {
			return c, fmt.Errorf("%s: %w (apt-get install mosquitto mosquitto-clients; make build)", *bin, err)
		}
		*bin = p
	}
	return c, nil
}

func run(ctx context.Context, args []string, w io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-mqtt-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	broker, err := startBroker(ctx, c.mosquitto, dir)
	if err != nil {
		return err
	}
	defer broker.stop()
	fmt.Fprintf(w, "mosquitto on %s; %d messages per run, %d publishing connections; JSON payloads, one series; detector %s\n\n", broker.addr, c.messages, c.publishers, c.detector)
	if c.throughput {
		if err := throughput(ctx, c, broker.addr, dir, w); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%-8s %12s %12s %12s %12s %12s %10s\n", "series", "agent RSS", "anonymous", "file", "of it outbox", "Go heap", "CPU")
	mem, err := agentMemory(ctx, c, broker.addr, filepath.Join(dir, "agent-mem"))
	for i, m := range mem {
		label := "idle"
		if i > 0 {
			label = strconv.Itoa(c.series[i-1])
		}
		fmt.Fprintf(w, "%-8s %9.1f MB %9.1f MB %9.1f MB %9.1f MB %9.1f MB %8.2f s\n", label, float64(m.rss)/1024, float64(m.anon)/1024,
			float64(m.file)/1024, float64(m.outbox)/1024, m.heap/(1<<20), m.cpu)
	}
	return err
}

// throughput measures mosquitto_sub's rate and the agent's at QoS 0 and 1.
func throughput(ctx context.Context, c config, addr, dir string, w io.Writer) error {
	fmt.Fprintf(w, "%-4s %18s %18s %18s %8s\n", "qos", "publisher (msg/s)", "mosquitto_sub", "agent", "ratio")
	for _, qos := range []byte{0, 1} {
		pub, sub, err := subRate(ctx, c, addr, qos)
		if err != nil {
			return err
		}
		got, err := agentRate(ctx, c, addr, filepath.Join(dir, fmt.Sprintf("agent-qos%d", qos)), qos)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-4d %18.0f %18.0f %18.0f %8.2f\n", qos, pub, sub, got.rate, got.rate/sub)
		if got.received < c.messages {
			fmt.Fprintf(w, "     agent committed %d of %d (QoS 0 may drop)\n", got.received, c.messages)
		}
	}
	fmt.Fprintln(w)
	return nil
}

// broker is a mosquitto process.
type broker struct {
	cmd  *exec.Cmd
	addr string
}

func startBroker(ctx context.Context, bin, dir string) (*broker, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	lines := []string{fmt.Sprintf("listener %d 127.0.0.1", port), "allow_anonymous true",
		"max_queued_messages 0", "max_inflight_messages 0", "log_type error", "log_type warning"}
	if os.Geteuid() == 0 {
		lines = append(lines, "user root")
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-c", conf)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &broker{cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port)}
	return b, waitFor(5*time.Second, func() bool {
		conn, err := net.Dial("tcp", b.addr)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
}

func (b *broker) stop() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	_ = b.cmd.Wait()
}

// subRate runs mosquitto_sub for one run's messages and returns the
// publisher's rate and mosquitto_sub's: messages over the time from the
// first publish to its exit after the last.
func subRate(ctx context.Context, c config, addr string, qos byte) (pub, sub float64, err error) {
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, c.sub, "-h", host, "-p", port, "-V", "mqttv5", "-q", strconv.Itoa(int(qos)),
		"-t", "plant/+/+/telemetry", "-C", strconv.Itoa(c.messages), "-i", "bench-sub")
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	time.Sleep(500 * time.Millisecond) // its subscription
	done := make(chan error, 1)
	var end time.Time
	go func() { err := cmd.Wait(); end = time.Now(); done <- err }()
	start := time.Now()
	pubDur, err := publish(ctx, c, addr, qos, 1)
	if err != nil {
		return 0, 0, err
	}
	select {
	case err := <-done:
		if err != nil {
			return 0, 0, fmt.Errorf("mosquitto_sub: %w", err)
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return 0, 0, errors.New("mosquitto_sub did not receive every message within a minute (QoS 0 may drop: try fewer -messages)")
	}
	return float64(c.messages) / pubDur.Seconds(), float64(c.messages) / end.Sub(start).Seconds(), nil
}

type agentResult struct {
	rate     float64
	received int
}

// agentRate runs the agent on one run's messages: the rate is messages
// over the time from the first publish to the agent's counting them all
// committed (pynomaly_agent_input_messages_total), polled every 10 ms.
func agentRate(ctx context.Context, c config, addr, dir string, qos byte) (agentResult, error) {
	a, err := startAgent(ctx, c, addr, dir, qos)
	if err != nil {
		return agentResult{}, err
	}
	defer a.stop()
	if c.profile != "" && qos == 0 {
		go a.cpuProfile(c.profile)
	}
	start := time.Now()
	if _, err := publish(ctx, c, addr, qos, 1); err != nil {
		return agentResult{}, err
	}
	var last int
	var lastAt time.Time
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n := a.messages()
		if n > last {
			last, lastAt = n, time.Now()
		}
		if n >= c.messages || (!lastAt.IsZero() && time.Since(lastAt) > 2*time.Second) {
			break
		}
	}
	if last == 0 {
		return agentResult{}, fmt.Errorf("the agent committed no message; its log:\n%s", a.log.String())
	}
	return agentResult{rate: float64(last) / lastAt.Sub(start).Seconds(), received: last}, nil
}

// memory is an agent's resident set in KiB, all of it (VmRSS, the
// figure the targets are about), its anonymous and file-backed parts, and
// of the latter the outbox's mmap; its Go heap in use in bytes, and the
// CPU time it has used, in seconds.
type memory struct {
	rss, anon, file, outbox int
	heap, cpu               float64
}

// agentMemory starts an agent and returns its memory idle (connected, no
// message) and after a message on each of n series, for each n.
func agentMemory(ctx context.Context, c config, addr, dir string) ([]memory, error) {
	a, err := startAgent(ctx, c, addr, dir, 1)
	if err != nil {
		return nil, err
	}
	defer a.stop()
	time.Sleep(time.Second)
	out := []memory{a.memory()}
	sent := 0
	for _, n := range c.series {
		if _, err := publish(ctx, config{messages: n * c.fill, publishers: 1, fullPrecision: c.fullPrecision}, addr, 1, n); err != nil {
			return out, err
		}
		sent += n * c.fill
		wait := 60*time.Second + time.Duration(n*c.fill)*time.Second/5000
		if err := waitFor(wait, func() bool { return a.messages() >= sent }); err != nil {
			return out, fmt.Errorf("%d series: %w", n, err)
		}
		time.Sleep(500 * time.Millisecond)
		out = append(out, a.memory())
	}
	if c.heapProfile != "" {
		a.heapProfile(c.heapProfile)
	}
	return out, nil
}

// publish sends c.messages JSON messages spread over devices topics,
// from c.publishers connections, each message's timestamp one millisecond
// after the previous; it returns how long that took.
func publish(ctx context.Context, c config, addr string, qos byte, devices int) (time.Duration, error) {
	var next atomic.Int64
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, c.publishers)
	for p := range c.publishers {
		wg.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			cl := paho.NewClient(paho.ClientConfig{Conn: conn})
			if _, err := cl.Connect(ctx, &paho.Connect{ClientID: fmt.Sprintf("bench-pub-%d", p), KeepAlive: 30, CleanStart: true}); err != nil {
				errs <- err
				return
			}
			defer cl.Disconnect(&paho.Disconnect{})
			for {
				i := int(next.Add(1) - 1)
				if i >= c.messages {
					return
				}
				ts := base.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
				v := strconv.FormatFloat(20+float64(i%97)/10, 'f', 3, 64)
				if c.fullPrecision {
					v = strconv.FormatFloat(20+3*math.Sin(float64(i)), 'g', -1, 64)
				}
				msg := &paho.Publish{Topic: fmt.Sprintf("plant/s/dev-%d/telemetry", i%devices), QoS: qos,
					Payload: fmt.Appendf(nil, `{"ts":%q,"v":%s}`, ts, v)}
				if _, err := cl.Publish(ctx, msg); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return 0, err
	}
	return time.Since(start), nil
}

type agent struct {
	cmd  *exec.Cmd
	port int
	log  *lockedBuffer
}

func startAgent(ctx context.Context, c config, addr, dir string, qos byte) (*agent, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`agent: {id: bench, data_dir: %s%s}
control_plane: {url: "nats://127.0.0.1:1", token: bench}
http: {listen: "127.0.0.1:%d", pprof: true}
log: {level: warn, format: text}
inputs:
  - name: plant
    mqtt:
      brokers: [mqtt://%s]
      client_id: bench-agent-%d
      topics: [{filter: "plant/+site/+device/telemetry", qos: %d}]
      payload: {timestamp: ts, fields: [{path: v}]}
%sdetector: {type: %s}
`, filepath.Join(dir, "data"), memoryLimitKey(c.memoryLimit), port, addr, qos, qos, queueLine(c.queue), c.detector)
	path := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	a := &agent{cmd: exec.CommandContext(ctx, c.agent, "run", "--config", path), port: port, log: &lockedBuffer{}}
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		return nil, err
	}
	if err := waitFor(10*time.Second, func() bool { return a.metric("pynomaly_agent_input_connects_total") >= 1 }); err != nil {
		a.stop()
		return nil, fmt.Errorf("agent did not connect to mosquitto: %w; log:\n%s", err, a.log.String())
	}
	time.Sleep(500 * time.Millisecond) // its subscription follows the connection
	return a, nil
}

// memoryLimitKey is the agent's memory_limit setting, none when limit is
// "" (so that agents built before the key existed can be measured).
func memoryLimitKey(limit string) string {
	if limit == "" {
		return ""
	}
	return fmt.Sprintf(", memory_limit: %q", limit)
}

// queueLine is the input's queue setting in the agent's configuration.
func queueLine(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("      queue: %d\n", n)
}

func (a *agent) stop() {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	_ = a.cmd.Wait()
}

// cpuProfile writes two seconds of the agent's CPU profile to path.
func (a *agent) cpuProfile(path string) { a.get("/debug/pprof/profile?seconds=2", path) }

// heapProfile writes the agent's heap profile, after a GC, to path, and
// its /metrics (the Go runtime's memory statistics among them) beside it.
func (a *agent) heapProfile(path string) {
	a.get("/metrics", path+".metrics")
	a.get("/debug/pprof/heap?gc=1", path)
}

// get writes what the agent's http endpoint serves at query to path. The
// endpoint may not listen yet when the agent has just connected to the
// broker, so a refused connection is retried for a second.
func (a *agent) get(query, path string) {
	var resp *http.Response
	var err error
	for try := 0; try < 100; try++ {
		if resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", a.port, query)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}

func (a *agent) messages() int { return int(a.metric("pynomaly_agent_input_messages_total")) }

// metric sums the samples of a metric on the agent's /metrics; -1 when
// the endpoint does not answer.
func (a *agent) metric(name string) float64 {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", a.port))
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

// memory reads the agent's resident set from /proc and its heap from
// go_memstats_heap_inuse_bytes; -1 for what could not be read.
func (a *agent) memory() memory {
	m := memory{rss: -1, anon: -1, file: -1, outbox: a.outboxRSS(), heap: a.metric("go_memstats_heap_inuse_bytes"),
		cpu: a.metric("process_cpu_seconds_total")}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		key, rest, _ := strings.Cut(line, ":")
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			m.rss = kb
		case "RssAnon":
			m.anon = kb
		case "RssFile":
			m.file = kb
		}
	}
	return m
}

// outboxRSS sums the resident KiB of the agent's mappings of its outbox
// file (bbolt maps it read-only and grows the mapping by remapping), from
// /proc/PID/smaps; -1 when it cannot be read.
func (a *agent) outboxRSS() int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", a.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	kb, inOutbox := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-"): // a mapping's header line
			inOutbox = len(f) == 6 && filepath.Base(f[5]) == "agent.db"
		case inOutbox && len(f) == 3 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			kb += n
		}
	}
	return kb
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitFor(d time.Duration, cond func() bool) error {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return nil
		}
	}
	return fmt.Errorf("not within %s", d)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
