package flyteremote

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"fmt"
	"sort"
	"time"
	"unsafe"
)

// ResourceType is the kind of a registered entity.
type ResourceType int

// Resource types (flyteidl's numbers).
const (
	ResourceUnspecified ResourceType = C.FLYTE_RESOURCE_UNSPECIFIED
	ResourceTask        ResourceType = C.FLYTE_RESOURCE_TASK
	ResourceWorkflow    ResourceType = C.FLYTE_RESOURCE_WORKFLOW
	ResourceLaunchPlan  ResourceType = C.FLYTE_RESOURCE_LAUNCH_PLAN
)

func (r ResourceType) String() string {
	switch r {
	case ResourceTask:
		return "task"
	case ResourceWorkflow:
		return "workflow"
	case ResourceLaunchPlan:
		return "launch plan"
	}
	return "entity"
}

// ID identifies a task, workflow or launch plan. Empty Project or Domain mean the
// client's defaults; an empty Version means the latest.
type ID struct {
	ResourceType                   ResourceType
	Project, Domain, Name, Version string
	Org                            string
}

// Entity is anything Fetch and Execute accept: an ID (a reference entity), a fetched
// *RemoteEntity, or a registered *RawContainerTask, *Workflow or *LaunchPlan.
type Entity interface {
	EntityID() ID
}

// EntityID returns id itself: an ID is the reference entity it names.
func (id ID) EntityID() ID { return id }

func (id ID) String() string {
	v := id.Version
	if v == "" {
		v = "latest"
	}
	return fmt.Sprintf("%s %s/%s/%s:%s", id.ResourceType, id.Project, id.Domain, id.Name, v)
}

// ReferenceTask names a task registered elsewhere (version "": the latest). Executing
// it fetches its interface from the server; nothing is defined locally.
func ReferenceTask(project, domain, name, version string) ID {
	return ID{ResourceTask, project, domain, name, version, ""}
}

// ReferenceWorkflow names a registered workflow (executed through its default launch plan).
func ReferenceWorkflow(project, domain, name, version string) ID {
	return ID{ResourceWorkflow, project, domain, name, version, ""}
}

// ReferenceLaunchPlan names a registered launch plan.
func ReferenceLaunchPlan(project, domain, name, version string) ID {
	return ID{ResourceLaunchPlan, project, domain, name, version, ""}
}

func (id ID) toC(a *arena) C.flyte_identifier {
	return C.flyte_identifier{
		resource_type: C.flyte_resource_type(id.ResourceType),
		project:       a.optStr(id.Project),
		domain:        a.optStr(id.Domain),
		name:          a.str(id.Name),
		version:       a.optStr(id.Version),
		org:           a.optStr(id.Org),
	}
}

func idFromC(id C.flyte_identifier) ID {
	return ID{ResourceType(id.resource_type), goString(id.project), goString(id.domain), goString(id.name),
		goString(id.version), goString(id.org)}
}

// Interface is the typed inputs and outputs of an entity.
type Interface struct {
	Inputs  map[string]Type
	Outputs map[string]Type
}

func variableMapToC(vars map[string]Type, what string) (*C.flyte_variable_map, error) {
	var m *C.flyte_variable_map
	if rc := C.flyte_variable_map_new(&m); rc != 0 {
		return nil, cError(what, rc, nil)
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := variableMapAdd(m, name, vars[name], what); err != nil {
			C.flyte_variable_map_free(m)
			return nil, err
		}
	}
	return m, nil
}

func variableMapAdd(m *C.flyte_variable_map, name string, t Type, what string) error {
	ct, err := t.toC()
	if err != nil {
		return withMessagePrefix(err, fmt.Sprintf("%s %q", what, name))
	}
	defer C.flyte_literal_type_free(ct)
	var a arena
	defer a.free()
	cn := a.str(name)
	if a.err != nil {
		return a.err
	}
	if rc := C.flyte_variable_map_add(m, cn, ct, nil); rc != 0 {
		return cError(what+" "+name, rc, nil)
	}
	return nil
}

func (iface Interface) toC() (*C.flyte_typed_interface, error) {
	in, err := variableMapToC(iface.Inputs, "input")
	if err != nil {
		return nil, err
	}
	defer C.flyte_variable_map_free(in)
	out, err := variableMapToC(iface.Outputs, "output")
	if err != nil {
		return nil, err
	}
	defer C.flyte_variable_map_free(out)
	var p *C.flyte_typed_interface
	if rc := C.flyte_typed_interface_new(&p, in, out); rc != 0 {
		return nil, cError("interface", rc, nil)
	}
	return p, nil
}

func variableMapFromC(m *C.flyte_variable_map) map[string]Type {
	out := map[string]Type{}
	if m == nil {
		return out
	}
	for i := C.size_t(0); i < C.flyte_variable_map_count(m); i++ {
		var name *C.char
		t := C.flyte_variable_map_at(m, i, &name, nil)
		out[goString(name)] = typeFromC(t)
	}
	return out
}

func interfaceFromC(p *C.flyte_typed_interface) Interface {
	if p == nil {
		return Interface{Inputs: map[string]Type{}, Outputs: map[string]Type{}}
	}
	return Interface{variableMapFromC(C.flyte_typed_interface_inputs(p)),
		variableMapFromC(C.flyte_typed_interface_outputs(p))}
}

// DatasetVersion is the cache dataset version Flyte gives a task with this interface
// and cache version: "<cache version>-<8 chars>-<8 chars>".
func DatasetVersion(cacheVersion string, iface Interface) (string, error) {
	if err := ensureInit(); err != nil {
		return "", err
	}
	ci, err := iface.toC()
	if err != nil {
		return "", withOp(err, "dataset version")
	}
	defer C.flyte_typed_interface_free(ci)
	var a arena
	defer a.free()
	cv := a.str(cacheVersion)
	if a.err != nil {
		return "", withOp(a.err, "dataset version")
	}
	var s *C.char
	var cerr *C.flyte_error
	if rc := C.flyte_cache_dataset_version(&s, cv, ci, &cerr); rc != 0 {
		return "", cError("dataset version", rc, cerr)
	}
	return takeString(s), nil
}

// CachePolicy computes a cache version for a task (flytekit's CachePolicy); salt is
// the Cache's Salt. It runs while the task is registered.
type CachePolicy interface {
	CacheVersion(salt string) (string, error)
}

// CachePolicyFunc is a function used as a CachePolicy.
type CachePolicyFunc func(salt string) (string, error)

// CacheVersion calls f.
func (f CachePolicyFunc) CacheVersion(salt string) (string, error) { return f(salt) }

// Cache makes a task cacheable. It needs a Version or at least one policy (with
// policies and no version, the version is the SHA-256 of their results).
type Cache struct {
	Version       string
	Serialize     bool     // one execution at a time per cache key
	IgnoredInputs []string // inputs left out of the cache key
	Salt          string   // passed to the policies
	Policies      []CachePolicy
}

// RawContainerTask is a raw-container task: Image runs Command with Args. In Args,
// {{.inputs.x}} is replaced by input x, {{.outputPrefix}} by the outputs directory and
// {{.inputPrefix}} by the inputs one. A RawContainerTask is plain data: build it, then
// share it read-only.
type RawContainerTask struct {
	Project, Domain, Name, Version string // Project, Domain "": "flytesnacks", "development"
	Image                          string
	Command, Args                  []string
	Inputs, Outputs                map[string]Type
	Cache                          *Cache // nil: not cached
	Retries                        uint
	Timeout                        time.Duration // of one attempt; 0: none
	Env                            map[string]string
	// InputPath and OutputPath set Flyte's copilot data configuration: inputs are
	// written as files into InputPath, outputs read from OutputPath (paths as the
	// container sees them, e.g. "/var/inputs"). Both or neither.
	InputPath, OutputPath string
}

func defaultStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// EntityID is the task's id.
func (t *RawContainerTask) EntityID() ID {
	return ID{ResourceType: ResourceTask, Project: defaultStr(t.Project, "flytesnacks"),
		Domain: defaultStr(t.Domain, "development"), Name: t.Name, Version: t.Version}
}

func (t *RawContainerTask) iface() Interface { return Interface{t.Inputs, t.Outputs} }

func (t *RawContainerTask) toC() (*C.flyte_task, error) {
	ci, err := t.iface().toC()
	if err != nil {
		return nil, err
	}
	defer C.flyte_typed_interface_free(ci)
	var a arena
	defer a.free()
	id := t.EntityID().toC(&a)
	cimg, ccmd, cargs := a.str(t.Image), a.strs(t.Command), a.strs(t.Args)
	if a.err != nil {
		return nil, a.err
	}
	var p *C.flyte_task
	var cerr *C.flyte_error
	if rc := C.flyte_task_new_raw_container(&p, &id, cimg, ccmd, C.size_t(len(t.Command)), cargs,
		C.size_t(len(t.Args)), ci, &cerr); rc != 0 {
		return nil, cError("task "+t.Name, rc, cerr)
	}
	if err := t.configure(p, &a); err != nil {
		C.flyte_task_free(p)
		return nil, err
	}
	return p, nil
}

func (t *RawContainerTask) configure(p *C.flyte_task, a *arena) error {
	what := "task " + t.Name
	if t.InputPath != "" || t.OutputPath != "" {
		if rc := C.flyte_task_set_data_config(p, a.str(t.InputPath), a.str(t.OutputPath)); rc != 0 {
			return cError(what+": data config", rc, nil)
		}
	}
	if t.Retries > 0 {
		if rc := C.flyte_task_set_retries(p, C.uint(t.Retries)); rc != 0 {
			return cError(what+": retries", rc, nil)
		}
	}
	if t.Timeout > 0 {
		if rc := C.flyte_task_set_timeout(p, C.int64_t((t.Timeout+time.Second-1)/time.Second)); rc != 0 {
			return cError(what+": timeout", rc, nil)
		}
	}
	keys := make([]string, 0, len(t.Env))
	for k := range t.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if rc := C.flyte_task_set_env(p, a.str(k), a.str(t.Env[k])); rc != 0 {
			return cError(what+": env "+k, rc, nil)
		}
	}
	if a.err != nil {
		return a.err
	}
	if t.Cache != nil {
		return t.Cache.apply(p, what)
	}
	return nil
}

func (c *Cache) apply(p *C.flyte_task, what string) error {
	var a arena
	defer a.free()
	var cbs callbacks
	defer cbs.free()
	var opts C.flyte_cache_options
	C.flyte_cache_options_init(&opts, C.FLYTE_CACHE_OPTIONS_VERSION)
	opts.enabled = 1
	opts.cache_version = a.optStr(c.Version)
	opts.serialize = cBool(c.Serialize)
	opts.ignored_inputs = a.strs(c.IgnoredInputs)
	opts.n_ignored_inputs = C.size_t(len(c.IgnoredInputs))
	opts.salt = a.optStr(c.Salt)
	if n := len(c.Policies); n > 0 {
		arr := (*C.flyte_cache_policy)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.flyte_cache_policy{}))))
		defer C.free(unsafe.Pointer(arr))
		for i, pol := range c.Policies {
			C.flyte_go_set_policy(arr, C.size_t(i), cbs.add(fmt.Sprintf("cache policy %d", i), pol))
		}
		opts.policies, opts.n_policies = arr, C.size_t(n)
	}
	if a.err != nil {
		return a.err
	}
	var cerr *C.flyte_error
	if rc := C.flyte_task_set_cache(p, &opts, &cerr); rc != 0 {
		return cbs.wrap(cError(what+": cache", rc, cerr))
	}
	return nil
}

// Binding says where a node input or a workflow output takes its value from: a
// workflow input (FromInput), another node's output (FromNode) or a constant (Const).
type Binding struct {
	node, from string
	value      any
	isConst    bool
}

// FromInput binds to the workflow's input name.
func FromInput(name string) Binding { return Binding{from: name} }

// FromNode binds to output of the node with id node.
func FromNode(node, output string) Binding { return Binding{node: node, from: output} }

// Const binds to a constant, converted with the type of what it is bound to.
func Const(value any) Binding { return Binding{value: value, isConst: true} }

// toC fills b for name; a constant becomes a literal the caller frees.
func (b Binding) toC(a *arena, name string, t Type) (C.flyte_binding, *C.flyte_literal, error) {
	cb := C.flyte_binding{name: a.str(name), from_node: a.optStr(b.node)}
	if !b.isConst {
		cb.from_var = a.str(b.from)
		return cb, nil, nil
	}
	lit, err := toLiteral(b.value, t, fmt.Sprintf("binding %q", name))
	if err != nil {
		return cb, nil, err
	}
	cb.value = lit
	return cb, lit, nil
}

// Node is one task call in a Workflow. Every input of the task must be bound.
type Node struct {
	ID     string
	Task   *RawContainerTask
	Inputs map[string]Binding
}

// Workflow is a DAG of task nodes with an interface. Register it (its tasks are
// registered with it), then execute it or a LaunchPlan of it. Plain data.
type Workflow struct {
	Project, Domain, Name, Version string
	Inputs, Outputs                map[string]Type
	Nodes                          []Node
	// OutputBindings says where each output comes from, e.g. FromNode("n1", "total").
	OutputBindings map[string]Binding
}

// EntityID is the workflow's id.
func (w *Workflow) EntityID() ID {
	return ID{ResourceType: ResourceWorkflow, Project: defaultStr(w.Project, "flytesnacks"),
		Domain: defaultStr(w.Domain, "development"), Name: w.Name, Version: w.Version}
}

func (w *Workflow) toC() (*C.flyte_workflow, error) {
	ci, err := Interface{w.Inputs, w.Outputs}.toC()
	if err != nil {
		return nil, err
	}
	defer C.flyte_typed_interface_free(ci)
	var a arena
	defer a.free()
	id := w.EntityID().toC(&a)
	if a.err != nil {
		return nil, a.err
	}
	var p *C.flyte_workflow
	var cerr *C.flyte_error
	if rc := C.flyte_workflow_new(&p, &id, ci, &cerr); rc != 0 {
		return nil, cError("workflow "+w.Name, rc, cerr)
	}
	if err := w.build(p); err != nil {
		C.flyte_workflow_free(p)
		return nil, err
	}
	return p, nil
}

func (w *Workflow) build(p *C.flyte_workflow) error {
	for _, n := range w.Nodes {
		if err := w.addNode(p, n); err != nil {
			return err
		}
	}
	names := sortedKeys(w.OutputBindings)
	for _, name := range names {
		var a arena
		cb, lit, err := w.OutputBindings[name].toC(&a, name, w.Outputs[name])
		if err == nil {
			err = a.err
		}
		if err == nil {
			var cerr *C.flyte_error
			if rc := C.flyte_workflow_bind_output(p, &cb, &cerr); rc != 0 {
				err = cError("workflow "+w.Name+": output "+name, rc, cerr)
			}
		}
		C.flyte_literal_free(lit)
		a.free()
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (w *Workflow) addNode(p *C.flyte_workflow, n Node) error {
	what := fmt.Sprintf("workflow %s: node %q", w.Name, n.ID)
	if n.Task == nil {
		return withOp(invalidf("%s has no task", what), "workflow")
	}
	task, err := n.Task.toC()
	if err != nil {
		return err
	}
	defer C.flyte_task_free(task)
	var a arena
	defer a.free()
	names := sortedKeys(n.Inputs)
	var arr *C.flyte_binding
	if len(names) > 0 {
		arr = (*C.flyte_binding)(C.calloc(C.size_t(len(names)), C.size_t(unsafe.Sizeof(C.flyte_binding{}))))
		defer C.free(unsafe.Pointer(arr))
	}
	bs := unsafe.Slice(arr, len(names))
	for i, name := range names {
		cb, lit, err := n.Inputs[name].toC(&a, name, n.Task.Inputs[name])
		if lit != nil {
			defer C.flyte_literal_free(lit)
		}
		if err != nil {
			return withOp(err, what)
		}
		bs[i] = cb
	}
	if a.err != nil {
		return a.err
	}
	var cerr *C.flyte_error
	if rc := C.flyte_workflow_add_task_node(p, a.str(n.ID), task, arr, C.size_t(len(names)), &cerr); rc != 0 {
		return cError(what, rc, cerr)
	}
	return nil
}

// LaunchPlan launches a Workflow with default inputs (the caller may override them)
// and fixed ones (it may not). Its id defaults to the workflow's: the workflow's
// default launch plan. Plain data.
type LaunchPlan struct {
	Project, Domain, Name, Version string // "": the workflow's
	Workflow                       *Workflow
	Defaults                       map[string]any
	Fixed                          map[string]any
}

// EntityID is the launch plan's id.
func (lp *LaunchPlan) EntityID() ID {
	id := ID{ResourceType: ResourceLaunchPlan, Project: lp.Project, Domain: lp.Domain, Name: lp.Name,
		Version: lp.Version}
	if lp.Workflow != nil {
		w := lp.Workflow.EntityID()
		id.Project, id.Domain = defaultStr(id.Project, w.Project), defaultStr(id.Domain, w.Domain)
		id.Name, id.Version = defaultStr(id.Name, w.Name), defaultStr(id.Version, w.Version)
	}
	return id
}

func (lp *LaunchPlan) toC() (*C.flyte_launch_plan, error) {
	if lp.Workflow == nil {
		return nil, withOp(invalidf("launch plan %s has no workflow", lp.Name), "launch plan")
	}
	wf, err := lp.Workflow.toC()
	if err != nil {
		return nil, err
	}
	defer C.flyte_workflow_free(wf)
	var a arena
	defer a.free()
	id := lp.EntityID().toC(&a)
	if a.err != nil {
		return nil, a.err
	}
	var p *C.flyte_launch_plan
	var cerr *C.flyte_error
	if rc := C.flyte_launch_plan_new(&p, &id, wf, &cerr); rc != 0 {
		return nil, cError("launch plan "+lp.EntityID().String(), rc, cerr)
	}
	for _, set := range []struct {
		values map[string]any
		fixed  bool
	}{{lp.Defaults, false}, {lp.Fixed, true}} {
		for _, name := range sortedKeys(set.values) {
			if err := lp.setInput(p, name, set.values[name], set.fixed); err != nil {
				C.flyte_launch_plan_free(p)
				return nil, err
			}
		}
	}
	return p, nil
}

func (lp *LaunchPlan) setInput(p *C.flyte_launch_plan, name string, v any, fixed bool) error {
	what := "default"
	if fixed {
		what = "fixed input"
	}
	lit, err := toLiteral(v, lp.Workflow.Inputs[name], fmt.Sprintf("launch plan %s %q", what, name))
	if err != nil {
		return err
	}
	defer C.flyte_literal_free(lit)
	var a arena
	defer a.free()
	cn := a.str(name)
	if a.err != nil {
		return a.err
	}
	var cerr *C.flyte_error
	var rc C.int
	if fixed {
		rc = C.flyte_launch_plan_set_fixed(p, cn, lit, &cerr)
	} else {
		rc = C.flyte_launch_plan_set_default(p, cn, lit, &cerr)
	}
	return cError("launch plan "+what+" "+name, rc, cerr)
}

// Registrable is what Register accepts: *RawContainerTask, *Workflow, *LaunchPlan.
type Registrable interface {
	Entity
	register(c *C.flyte_client, seen map[ID]bool) error
}

func (t *RawContainerTask) register(c *C.flyte_client, seen map[ID]bool) error {
	if id := t.EntityID(); seen[id] {
		return nil
	} else {
		seen[id] = true
	}
	p, err := t.toC()
	if err != nil {
		return withOp(err, "register task")
	}
	defer C.flyte_task_free(p)
	var cerr *C.flyte_error
	rc := C.flyte_register_task(c, p, &cerr)
	return cError("register task "+t.Name, rc, cerr)
}

func (w *Workflow) register(c *C.flyte_client, seen map[ID]bool) error {
	if id := w.EntityID(); seen[id] {
		return nil
	} else {
		seen[id] = true
	}
	for _, n := range w.Nodes {
		if n.Task != nil {
			if err := n.Task.register(c, seen); err != nil {
				return err
			}
		}
	}
	p, err := w.toC()
	if err != nil {
		return withOp(err, "register workflow")
	}
	defer C.flyte_workflow_free(p)
	var cerr *C.flyte_error
	rc := C.flyte_register_workflow(c, p, &cerr)
	return cError("register workflow "+w.Name, rc, cerr)
}

func (lp *LaunchPlan) register(c *C.flyte_client, seen map[ID]bool) error {
	if id := lp.EntityID(); seen[id] {
		return nil
	} else {
		seen[id] = true
	}
	if lp.Workflow != nil {
		if err := lp.Workflow.register(c, seen); err != nil {
			return err
		}
	}
	p, err := lp.toC()
	if err != nil {
		return withOp(err, "register launch plan")
	}
	defer C.flyte_launch_plan_free(p)
	var cerr *C.flyte_error
	rc := C.flyte_register_launch_plan(c, p, &cerr)
	return cError("register launch plan "+lp.EntityID().Name, rc, cerr)
}

// Register registers entities in order, idempotently: an identical entity already
// registered is success; a different one under the same version is ErrAlreadyExists
// (register a new version). A Workflow brings its tasks, a LaunchPlan its workflow.
func (c *Client) Register(ctx context.Context, entities ...Registrable) error {
	seen := map[ID]bool{}
	for _, e := range entities {
		err := c.use(ctx, "register", func(p *C.flyte_client) error { return e.register(p, seen) })
		if err != nil {
			return err
		}
	}
	return nil
}

// RemoteEntity is a registered entity as fetched: its full id (version resolved), its
// interface and, for a launch plan, its default and fixed inputs. Immutable.
type RemoteEntity struct {
	ID          ID
	Interface   Interface // a launch plan's is its workflow's
	Defaults    map[string]any
	FixedInputs map[string]any
	JSON        string // the admin message (admin.Task, admin.Workflow or admin.LaunchPlan)
}

// EntityID is the entity's full id.
func (r *RemoteEntity) EntityID() ID { return r.ID }

// Fetch gets a registered entity by id (Version "": the latest). ErrNotFound when it
// does not exist.
func (c *Client) Fetch(ctx context.Context, entity Entity) (*RemoteEntity, error) {
	var r *RemoteEntity
	err := c.use(ctx, "fetch", func(p *C.flyte_client) error {
		var err error
		r, err = fetch(p, entity.EntityID())
		return err
	})
	return r, err
}

func fetch(p *C.flyte_client, id ID) (*RemoteEntity, error) {
	var a arena
	defer a.free()
	cid := id.toC(&a)
	if a.err != nil {
		return nil, withOp(a.err, "fetch")
	}
	var e *C.flyte_entity
	var cerr *C.flyte_error
	if rc := C.flyte_fetch(p, &e, &cid, &cerr); rc != 0 {
		return nil, cError("fetch "+id.String(), rc, cerr)
	}
	defer C.flyte_entity_free(e)
	r := &RemoteEntity{
		ID:        idFromC(C.flyte_entity_id(e)),
		Interface: interfaceFromC(C.flyte_entity_interface(e)),
		JSON:      goString(C.flyte_entity_json(e)),
	}
	var err error
	if r.Defaults, err = literalMapFromC(C.flyte_entity_defaults(e)); err != nil {
		return nil, withOp(err, "fetch")
	}
	if r.FixedInputs, err = literalMapFromC(C.flyte_entity_fixed_inputs(e)); err != nil {
		return nil, withOp(err, "fetch")
	}
	return r, nil
}

// JSON is the interface as flyteidl.core.TypedInterface proto3 JSON.
func (iface Interface) JSON() (string, error) {
	if err := ensureInit(); err != nil {
		return "", err
	}
	p, err := iface.toC()
	if err != nil {
		return "", err
	}
	defer C.flyte_typed_interface_free(p)
	var s *C.char
	if rc := C.flyte_typed_interface_to_json(&s, p); rc != 0 {
		return "", cError("interface to JSON", rc, nil)
	}
	return takeString(s), nil
}
