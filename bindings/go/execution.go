package flyteremote

/*
#include <stdlib.h>
#include <flyte/flyte.h>
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Phase is the phase of an execution (flyteidl's WorkflowExecution.Phase numbers).
type Phase int

// Execution phases.
const (
	PhaseUndefined  Phase = C.FLYTE_PHASE_UNDEFINED
	PhaseQueued     Phase = C.FLYTE_PHASE_QUEUED
	PhaseRunning    Phase = C.FLYTE_PHASE_RUNNING
	PhaseSucceeding Phase = C.FLYTE_PHASE_SUCCEEDING
	PhaseSucceeded  Phase = C.FLYTE_PHASE_SUCCEEDED
	PhaseFailing    Phase = C.FLYTE_PHASE_FAILING
	PhaseFailed     Phase = C.FLYTE_PHASE_FAILED
	PhaseAborted    Phase = C.FLYTE_PHASE_ABORTED
	PhaseTimedOut   Phase = C.FLYTE_PHASE_TIMED_OUT
	PhaseAborting   Phase = C.FLYTE_PHASE_ABORTING
)

// String is the phase's name, e.g. "SUCCEEDED".
func (p Phase) String() string { return goString(C.flyte_phase_name(C.flyte_execution_phase(p))) }

// IsDone reports a terminal phase: SUCCEEDED, FAILED, ABORTED or TIMED_OUT.
func (p Phase) IsDone() bool {
	return p == PhaseSucceeded || p == PhaseFailed || p == PhaseAborted || p == PhaseTimedOut
}

// CacheStatus is what the cache did for a node (flyteidl's CatalogCacheStatus).
type CacheStatus int

// Cache statuses.
const (
	CacheDisabled      CacheStatus = C.FLYTE_CACHE_DISABLED
	CacheMiss          CacheStatus = C.FLYTE_CACHE_MISS
	CacheHit           CacheStatus = C.FLYTE_CACHE_HIT
	CachePopulated     CacheStatus = C.FLYTE_CACHE_POPULATED
	CacheLookupFailure CacheStatus = C.FLYTE_CACHE_LOOKUP_FAILURE
	CachePutFailure    CacheStatus = C.FLYTE_CACHE_PUT_FAILURE
	CacheSkipped       CacheStatus = C.FLYTE_CACHE_SKIPPED
	CacheEvicted       CacheStatus = C.FLYTE_CACHE_EVICTED
)

// String is the status's name, e.g. "CACHE_HIT".
func (s CacheStatus) String() string {
	return goString(C.flyte_cache_status_name(C.flyte_cache_status(s)))
}

// ExecuteOptions say how to launch. All fields are optional.
type ExecuteOptions struct {
	Project, Domain string // where the execution runs; "": the client's
	// Name of the execution (^[a-z][a-z0-9-]*$, at most 63 characters); "": chosen by
	// the client before the first attempt, so that a retried create never makes two.
	Name       string
	NamePrefix string // prefix of a generated name
	// TypeHints give, per input, the Flyte type of its Go value and a Hasher that keys
	// it in the cache. Inputs without a hinted type take the entity's declared type.
	TypeHints       map[string]TypeHint
	OverwriteCache  bool // run cached tasks again and replace their cached outputs
	Tags            []string
	Labels          map[string]string
	Annotations     map[string]string
	Envs            map[string]string // environment variables of the tasks
	Interruptible   *bool             // nil: as the workflow says
	MaxParallelism  int               // 0: the server's default
	RawOutputPrefix string
	LogInputSources bool // log which inputs came from the caller and which from defaults
}

// Execution is a handle on an execution. It is safe for concurrent use (its methods
// serialise on it). A finalizer frees it; Close frees it at once.
type Execution struct {
	client                *Client
	project, domain, name string
	mu                    sync.Mutex
	p                     *C.flyte_execution
}

func newExecution(c *Client, p *C.flyte_execution) *Execution {
	x := &Execution{client: c, p: p, project: goString(C.flyte_execution_project(p)),
		domain: goString(C.flyte_execution_domain(p)), name: goString(C.flyte_execution_name(p))}
	runtime.SetFinalizer(x, (*Execution).Close)
	return x
}

// Execute launches entity (a task, a workflow through its default launch plan, or a
// launch plan) with inputs, after converting them to Flyte values (types from the type
// hints, else from the entity's interface: a reference entity's is fetched, once per
// version, and the execution is pinned to the version fetched), hashing them with the
// hints' Hashers, checking them against the interface and predicting the cache keys.
// A local *RawContainerTask, *Workflow or *LaunchPlan must have been registered.
//
// Errors: ErrInvalidInput (ErrType for a value of the wrong type, also for an input
// that overrides a fixed launch-plan input or a missing required one), ErrNotFound,
// ErrCallback (with the Hasher's error as its cause) and the transport's.
func (c *Client) Execute(ctx context.Context, entity Entity, inputs map[string]any, opts ExecuteOptions) (*Execution, error) {
	var x *Execution
	err := c.use(ctx, "execute", func(p *C.flyte_client) error {
		id, types, err := c.inputTypes(p, entity, inputs, opts.TypeHints)
		if err != nil {
			return err
		}
		m, err := literalMapToC(inputs, types)
		if err != nil {
			return withOp(err, "execute")
		}
		defer C.flyte_literal_map_free(m)
		th, err := newTypeHints(opts.TypeHints)
		if err != nil {
			return withOp(err, "execute")
		}
		defer th.free()
		var a arena
		defer a.free()
		cid := id.toC(&a)
		co := opts.toC(&a)
		if a.err != nil {
			return withOp(a.err, "execute")
		}
		var xp *C.flyte_execution
		var cerr *C.flyte_error
		if rc := C.flyte_execute(p, &xp, &cid, m, th.p, &co, &cerr); rc != 0 {
			return th.wrap(cError("execute "+id.String(), rc, cerr))
		}
		x = newExecution(c, xp)
		return nil
	})
	return x, err
}

func (o *ExecuteOptions) toC(a *arena) C.flyte_execute_options {
	var co C.flyte_execute_options
	C.flyte_execute_options_init(&co, C.FLYTE_EXECUTE_OPTIONS_VERSION)
	co.project, co.domain = a.optStr(o.Project), a.optStr(o.Domain)
	co.name, co.name_prefix = a.optStr(o.Name), a.optStr(o.NamePrefix)
	co.overwrite_cache = cBool(o.OverwriteCache)
	co.tags, co.n_tags = a.strs(o.Tags), C.size_t(len(o.Tags))
	var n int
	co.label_keys, co.label_values, n = pairs(a, o.Labels)
	co.n_labels = C.size_t(n)
	co.annotation_keys, co.annotation_values, n = pairs(a, o.Annotations)
	co.n_annotations = C.size_t(n)
	co.env_keys, co.env_values, n = pairs(a, o.Envs)
	co.n_envs = C.size_t(n)
	if o.Interruptible != nil {
		co.interruptible = 2
		if *o.Interruptible {
			co.interruptible = 1
		}
	}
	co.max_parallelism = C.int(o.MaxParallelism)
	co.raw_output_prefix = a.optStr(o.RawOutputPrefix)
	co.log_input_sources = cBool(o.LogInputSources)
	return co
}

func pairs(a *arena, m map[string]string) (**C.char, **C.char, int) {
	keys := sortedKeys(m)
	values := make([]string, len(keys))
	for i, k := range keys {
		values[i] = m[k]
	}
	return a.strs(keys), a.strs(values), len(keys)
}

// inputTypes gives the declared type of each input: the hint's, else the interface's.
// The interface of a reference entity is fetched only when some input needs it.
func (c *Client) inputTypes(p *C.flyte_client, entity Entity, inputs map[string]any,
	hints map[string]TypeHint) (ID, map[string]Type, error) {
	id := entity.EntityID()
	var declared map[string]Type
	switch e := entity.(type) {
	case *RawContainerTask:
		declared = e.Inputs
	case *Workflow:
		declared = e.Inputs
	case *LaunchPlan:
		if e.Workflow != nil {
			declared = e.Workflow.Inputs
		}
	case *RemoteEntity:
		declared = e.Interface.Inputs
	default:
		if needsInterface(inputs, hints) {
			iface, resolved, err := c.remoteInterface(p, id)
			if err != nil {
				return id, nil, err
			}
			declared, id = iface.Inputs, resolved
		}
	}
	types := make(map[string]Type, len(inputs))
	for name := range inputs {
		if h, ok := hints[name]; ok && !h.Type.IsZero() {
			types[name] = h.Type
		} else {
			types[name] = declared[name]
		}
	}
	return id, types, nil
}

func needsInterface(inputs map[string]any, hints map[string]TypeHint) bool {
	for name, v := range inputs {
		if _, raw := v.(LiteralJSON); !raw && hints[name].Type.IsZero() {
			return true
		}
	}
	return false
}

// remoteInterface fetches (or recalls) the interface of a registered entity and gives
// its id with the version resolved.
func (c *Client) remoteInterface(p *C.flyte_client, id ID) (Interface, ID, error) {
	if id.Version != "" {
		if v, ok := c.ifaces.Load(id); ok {
			return v.(Interface), id, nil
		}
	}
	r, err := fetch(p, id)
	if err != nil {
		return Interface{}, id, withOp(err, "execute")
	}
	resolved := r.ID
	resolved.ResourceType = id.ResourceType
	c.ifaces.Store(resolved, r.Interface)
	if id.Version != "" {
		c.ifaces.Store(id, r.Interface)
	}
	return r.Interface, resolved, nil
}

// FetchExecution gets a handle on an existing execution ("" project or domain: the
// client's).
func (c *Client) FetchExecution(ctx context.Context, project, domain, name string) (*Execution, error) {
	var x *Execution
	err := c.use(ctx, "fetch execution", func(p *C.flyte_client) error {
		var a arena
		defer a.free()
		cp, cd, cn := a.optStr(project), a.optStr(domain), a.str(name)
		if a.err != nil {
			return withOp(a.err, "fetch execution")
		}
		var xp *C.flyte_execution
		var cerr *C.flyte_error
		if rc := C.flyte_execution_get(p, &xp, cp, cd, cn, &cerr); rc != 0 {
			return cError("fetch execution "+name, rc, cerr)
		}
		x = newExecution(c, xp)
		return nil
	})
	return x, err
}

// Close frees the handle (the execution itself goes on). Later calls fail with
// ErrClosed or return zero values.
func (x *Execution) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.p != nil {
		C.flyte_execution_free(x.p)
		x.p = nil
		runtime.SetFinalizer(x, nil)
	}
	return nil
}

// locked runs f on the handle with the execution locked; false when it is closed.
func (x *Execution) locked(f func(p *C.flyte_execution)) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.p == nil {
		return false
	}
	f(x.p)
	return true
}

func (x *Execution) closedErr(op string) error {
	return &Error{Op: op, Code: CodeInvalid, GRPCCode: -1, Message: "execution " + x.name + " is closed",
		Err: ErrClosed}
}

// withClient runs a library call that needs both the execution and its client.
func (x *Execution) withClient(ctx context.Context, op string, f func(c *C.flyte_client, p *C.flyte_execution) error) error {
	var err error
	if !x.locked(func(p *C.flyte_execution) {
		err = x.client.use(ctx, op, func(c *C.flyte_client) error { return f(c, p) })
	}) {
		return x.closedErr(op)
	}
	return err
}

// Project, Domain and Name identify the execution.
func (x *Execution) Project() string { return x.project }

// Domain is the execution's domain.
func (x *Execution) Domain() string { return x.domain }

// Name is the execution's name.
func (x *Execution) Name() string { return x.name }

// Phase as of the last Sync or Wait.
func (x *Execution) Phase() Phase {
	ph := PhaseUndefined
	x.locked(func(p *C.flyte_execution) { ph = Phase(C.flyte_execution_phase_of(p)) })
	return ph
}

// ErrorMessage is the error of a failed execution (or the abort cause), else "".
func (x *Execution) ErrorMessage() string {
	var s string
	x.locked(func(p *C.flyte_execution) { s = goString(C.flyte_execution_error_message(p)) })
	return s
}

// Sync refreshes the phase, error, nodes (phase, cache status, catalog key) and, once
// succeeded, the outputs, and compares the predicted cache keys with the server's.
// The context is checked before the call; a call in progress runs to completion
// (bounded by Options.Timeout).
func (x *Execution) Sync(ctx context.Context) error {
	return x.withClient(ctx, "sync", func(c *C.flyte_client, p *C.flyte_execution) error {
		var cerr *C.flyte_error
		rc := C.flyte_execution_sync(c, p, &cerr)
		return cError("sync "+x.name, rc, cerr)
	})
}

// poll refreshes the phase only (one cheap request, whatever the workflow's size) and,
// once the execution is done, syncs it fully. The C API has no phase-only refresh, but
// flyte_execution_wait with a 1 ms limit is exactly that: it polls the closure once,
// syncs everything when the phase is terminal, and otherwise returns FLYTE_ETIMEOUT.
func (x *Execution) poll(ctx context.Context) (bool, error) {
	done := false
	err := x.withClient(ctx, "wait", func(c *C.flyte_client, p *C.flyte_execution) error {
		var cerr *C.flyte_error
		rc := C.flyte_execution_wait(c, p, 1, 1, &cerr)
		if rc == C.FLYTE_ETIMEOUT {
			C.flyte_error_free(cerr)
			return nil
		}
		done = rc == 0
		return cError("wait "+x.name, rc, cerr)
	})
	return done, err
}

// Wait polls until the execution reaches a terminal phase, at intervals that grow from
// 200ms up to pollInterval (0: 5s); each poll reads the phase only, and the final one
// syncs nodes and outputs as Sync does. It returns nil when the execution
// SUCCEEDED, an *ExecutionError (ErrExecutionFailed) when it ended otherwise, ctx.Err()
// when the context is done first, or the error of a failed sync. For a time limit,
// give ctx a deadline.
func (x *Execution) Wait(ctx context.Context, pollInterval time.Duration) error {
	if pollInterval <= 0 {
		pollInterval = 5 * time.Second
	}
	delay := min(200*time.Millisecond, pollInterval)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		done, err := x.poll(ctx)
		if err != nil {
			return err
		}
		if ph := x.Phase(); done || ph.IsDone() {
			if ph == PhaseSucceeded {
				return nil
			}
			return &ExecutionError{x.project, x.domain, x.name, ph, x.ErrorMessage()}
		}
		timer.Reset(delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		delay = min(2*delay, pollInterval)
	}
}

// Outputs are the outputs of a SUCCEEDED execution as Go values: integer int64, float
// float64, string string, boolean bool, datetime time.Time (UTC), duration
// time.Duration, binary []byte, none nil, blob Blob, structured dataset
// StructuredDataset, struct map[string]any (encoding/json's mapping; use json.Marshal
// and Unmarshal to get a Go struct), collection []any, map map[string]any, union its
// value, error LiteralError, anything else LiteralJSON.
func (x *Execution) Outputs() (map[string]any, error) {
	var out map[string]any
	var err error
	ok := x.locked(func(p *C.flyte_execution) {
		m := C.flyte_execution_outputs(p)
		if m == nil {
			ph := Phase(C.flyte_execution_phase_of(p))
			if ph.IsDone() {
				err = &ExecutionError{x.project, x.domain, x.name, ph, goString(C.flyte_execution_error_message(p))}
			} else {
				err = &Error{Op: "outputs", Code: CodeInvalid, GRPCCode: -1,
					Message: fmt.Sprintf("execution %s is %s: no outputs yet (Wait for it)", x.name, ph)}
			}
			return
		}
		out, err = literalMapFromC(m)
	})
	if !ok {
		return nil, x.closedErr("outputs")
	}
	return out, withOp(err, "outputs")
}

// Inputs are the inputs as sent (hashes applied), as Go values.
func (x *Execution) Inputs() (map[string]any, error) {
	var out map[string]any
	var err error
	if !x.locked(func(p *C.flyte_execution) { out, err = literalMapFromC(C.flyte_execution_inputs(p)) }) {
		return nil, x.closedErr("inputs")
	}
	return out, withOp(err, "inputs")
}

// InputHashes are the Literal.hash of each input that has one (set by a Hasher).
func (x *Execution) InputHashes() map[string]string {
	out := map[string]string{}
	x.locked(func(p *C.flyte_execution) {
		m := C.flyte_execution_inputs(p)
		if m == nil {
			return
		}
		for i := C.size_t(0); i < C.flyte_literal_map_count(m); i++ {
			var name *C.char
			if h := goString(C.flyte_literal_hash(C.flyte_literal_map_at(m, i, &name))); h != "" {
				out[goString(name)] = h
			}
		}
	})
	return out
}

// DatasetID is a DataCatalog dataset: where a cached task's outputs are kept.
type DatasetID struct {
	Project, Domain string
	Name            string // "flyte_task-" + the task's name
	Version         string // cache version + "-" + 8 chars + "-" + 8 chars
}

// NodeInfo is a node execution as of the last Sync.
type NodeInfo struct {
	NodeID      string
	Phase       int    // flyteidl's NodeExecution.Phase number
	PhaseName   string // e.g. "SUCCEEDED"
	CacheStatus CacheStatus
	Dataset     *DatasetID // the catalog key; nil when the node has none
	ArtifactTag string
	Error       string // "" unless the node failed
}

// Nodes are the node executions as of the last Sync (start and end nodes left out).
func (x *Execution) Nodes() []NodeInfo {
	var out []NodeInfo
	x.locked(func(p *C.flyte_execution) {
		for i := C.size_t(0); i < C.flyte_execution_node_count(p); i++ {
			n := C.flyte_execution_node_at(p, i)
			ni := NodeInfo{NodeID: goString(n.node_id), Phase: int(n.phase), PhaseName: goString(n.phase_name),
				CacheStatus: CacheStatus(n.cache_status), ArtifactTag: goString(n.artifact_tag),
				Error: goString(n.error_message)}
			if n.dataset_name != nil {
				ni.Dataset = &DatasetID{goString(n.dataset_project), goString(n.dataset_domain),
					goString(n.dataset_name), goString(n.dataset_version)}
			}
			out = append(out, ni)
		}
	})
	return out
}

// Match says whether a predicted cache key is the server's.
type Match int

// Match states.
const (
	MatchUnknown   Match = iota // the server has not reported its key yet
	MatchEqual                  // the prediction is the server's key
	MatchDifferent              // it is not
)

func (m Match) String() string {
	return [...]string{"unknown", "equal", "different"}[m]
}

// CachePrediction is a cache key predicted before submission and what the server
// reported after.
type CachePrediction struct {
	NodeID               string
	Dataset              DatasetID // predicted
	ArtifactTag          string    // predicted
	ServerArtifactTag    string    // "" until known
	ServerDatasetVersion string
	Match                Match
}

// PredictedCacheKeys are the cache keys of the task nodes that take only workflow
// inputs and constants, computed before the execution was submitted; after a Sync
// (or Wait) each says whether the server used the same key.
func (x *Execution) PredictedCacheKeys() []CachePrediction {
	var out []CachePrediction
	x.locked(func(p *C.flyte_execution) {
		for i := C.size_t(0); i < C.flyte_execution_prediction_count(p); i++ {
			cp := C.flyte_execution_prediction_at(p, i)
			pr := CachePrediction{NodeID: goString(cp.node_id),
				Dataset: DatasetID{goString(cp.dataset.project), goString(cp.dataset.domain),
					goString(cp.dataset.name), goString(cp.dataset.version)},
				ArtifactTag: goString(cp.artifact_tag), ServerArtifactTag: goString(cp.server_artifact_tag),
				ServerDatasetVersion: goString(cp.server_dataset_version)}
			switch cp.matches {
			case 1:
				pr.Match = MatchEqual
			case 0:
				pr.Match = MatchDifferent
			}
			out = append(out, pr)
		}
	})
	return out
}

// ConsoleURL is the execution's page in the Flyte console.
func (x *Execution) ConsoleURL() string {
	var s string
	_ = x.withClient(context.Background(), "console url", func(c *C.flyte_client, p *C.flyte_execution) error {
		var cs *C.char
		if C.flyte_execution_console_url(&cs, c, p) == 0 {
			s = takeString(cs)
		}
		return nil
	})
	return s
}

// Terminate aborts a running execution (ErrInvalidInput when it has finished).
func (x *Execution) Terminate(ctx context.Context, cause string) error {
	return x.withClient(ctx, "terminate", func(c *C.flyte_client, p *C.flyte_execution) error {
		var a arena
		defer a.free()
		cc := a.optStr(cause)
		if a.err != nil {
			return withOp(a.err, "terminate")
		}
		var cerr *C.flyte_error
		rc := C.flyte_execution_terminate(c, p, cc, &cerr)
		return cError("terminate "+x.name, rc, cerr)
	})
}

// Relaunch launches the execution again with the same inputs, as a new execution.
func (x *Execution) Relaunch(ctx context.Context, overwriteCache bool) (*Execution, error) {
	var nx *Execution
	err := x.withClient(ctx, "relaunch", func(c *C.flyte_client, p *C.flyte_execution) error {
		var np *C.flyte_execution
		var cerr *C.flyte_error
		if rc := C.flyte_execution_relaunch(c, &np, p, cBool(overwriteCache), &cerr); rc != 0 {
			return cError("relaunch "+x.name, rc, cerr)
		}
		nx = newExecution(x.client, np)
		return nil
	})
	return nx, err
}

// Recover launches a failed execution again: succeeded nodes keep their outputs.
func (x *Execution) Recover(ctx context.Context) (*Execution, error) {
	var nx *Execution
	err := x.withClient(ctx, "recover", func(c *C.flyte_client, p *C.flyte_execution) error {
		var np *C.flyte_execution
		var cerr *C.flyte_error
		if rc := C.flyte_execution_recover(c, &np, p, &cerr); rc != 0 {
			return cError("recover "+x.name, rc, cerr)
		}
		nx = newExecution(x.client, np)
		return nil
	})
	return nx, err
}
