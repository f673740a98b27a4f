package flyteremote

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
)

// LogLevel is the level of a library log message.
type LogLevel int

// Log levels; the zero LogLevel in Options means the library's default (LogWarn).
const (
	LogError LogLevel = C.FLYTE_LOG_ERROR
	LogWarn  LogLevel = C.FLYTE_LOG_WARN
	LogInfo  LogLevel = C.FLYTE_LOG_INFO
	LogDebug LogLevel = C.FLYTE_LOG_DEBUG
)

// Options configure a Client. Only Endpoint is required; zero values mean the
// library's defaults.
type Options struct {
	// Endpoint is http://host:port, https://host, dns:///host:port or host:port.
	Endpoint string
	// Insecure uses plain HTTP for an endpoint without a scheme.
	Insecure bool
	// Project and Domain are the defaults of calls ("flytesnacks", "development").
	Project, Domain string
	// ConsoleEndpoint is the base of console URLs (default: the endpoint).
	ConsoleEndpoint string

	// Authentication: at most one of Token (a static bearer token), ClientID with
	// ClientSecret (OAuth2 client credentials) and Command (an external command that
	// prints a token, run without a shell). None: no credentials.
	Token                  string
	ClientID, ClientSecret string
	Scopes                 []string
	Audience               string
	TokenEndpoint          string // default: discovered from the server
	AuthorizationHeader    string // default "Authorization"
	Command                []string

	CACertPath         string // PEM bundle of trusted CAs (default: the system's)
	InsecureSkipVerify bool   // never in production

	// Timeout bounds one HTTP request (default 30s); it is also how long a
	// context cancellation may wait for a call already in the library to return.
	Timeout        time.Duration
	ConnectTimeout time.Duration // default 10s
	MaxAttempts    int           // attempts of a retryable call (default 5; 1: no retries)
	RetryInitial   time.Duration // first backoff (default 200ms)
	RetryMax       time.Duration // longest backoff (default 8s)
	RetryDeadline  time.Duration // a call with its retries gives up after this (default 60s)

	// Log receives the library's log messages up to LogLevel. It is called from the
	// goroutine making the call being logged, so possibly from several at once.
	Log      func(level LogLevel, message string)
	LogLevel LogLevel
}

// Client is a connection to FlyteAdmin (or flyte-devserver). It is safe for concurrent
// use by many goroutines: create one per endpoint and share it. Close it when done (a
// finalizer frees it otherwise); Executions keep their Client alive.
type Client struct {
	mu     sync.RWMutex // held for reading around every library call, for writing by Close
	p      *C.flyte_client
	log    cgo.Handle
	ifaces sync.Map // ID (with a version) -> Interface: registered entities never change
}

func ms(d time.Duration) C.long { return C.long(d / time.Millisecond) }

// New creates a client. No request is sent until the first call.
func New(ctx context.Context, opts Options) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ensureInit(); err != nil {
		return nil, err
	}
	var co C.flyte_client_options
	C.flyte_client_options_init(&co, C.FLYTE_CLIENT_OPTIONS_VERSION)
	var a arena
	defer a.free()
	co.endpoint = a.str(opts.Endpoint)
	co.insecure = cBool(opts.Insecure)
	co.project = a.optStr(opts.Project)
	co.domain = a.optStr(opts.Domain)
	co.console_endpoint = a.optStr(opts.ConsoleEndpoint)
	n := 0
	if opts.Token != "" {
		n++
		co.auth_type = C.FLYTE_AUTH_TOKEN
		co.token = a.str(opts.Token)
	}
	if opts.ClientID != "" || opts.ClientSecret != "" {
		n++
		co.auth_type = C.FLYTE_AUTH_CLIENT_SECRET
		co.client_id = a.optStr(opts.ClientID)
		co.client_secret = a.optStr(opts.ClientSecret)
	}
	if len(opts.Command) > 0 {
		n++
		co.auth_type = C.FLYTE_AUTH_EXTERNAL_COMMAND
		co.command = a.strs(opts.Command)
		co.n_command = C.size_t(len(opts.Command))
	}
	if n > 1 {
		return nil, withOp(invalidf("give at most one of Token, ClientID/ClientSecret and Command"), "new client")
	}
	co.scopes = a.strs(opts.Scopes)
	co.n_scopes = C.size_t(len(opts.Scopes))
	co.audience = a.optStr(opts.Audience)
	co.token_endpoint = a.optStr(opts.TokenEndpoint)
	co.authorization_header = a.optStr(opts.AuthorizationHeader)
	co.ca_cert_path = a.optStr(opts.CACertPath)
	co.insecure_skip_verify = cBool(opts.InsecureSkipVerify)
	co.timeout_ms = ms(opts.Timeout)
	co.connect_timeout_ms = ms(opts.ConnectTimeout)
	co.max_attempts = C.int(opts.MaxAttempts)
	co.retry_initial_ms = ms(opts.RetryInitial)
	co.retry_max_ms = ms(opts.RetryMax)
	co.retry_deadline_ms = ms(opts.RetryDeadline)
	if a.err != nil {
		return nil, withOp(a.err, "new client")
	}
	c := &Client{}
	if opts.Log != nil {
		c.log = cgo.NewHandle(opts.Log)
		C.flyte_go_set_log(&co, C.uintptr_t(c.log))
		co.log_level = C.int(opts.LogLevel)
	}
	var cerr *C.flyte_error
	if rc := C.flyte_client_new(&c.p, &co, &cerr); rc != 0 {
		if c.log != 0 {
			c.log.Delete()
		}
		return nil, cError("new client", rc, cerr)
	}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// FromConfig creates a client from Flyte's usual configuration: the flytectl YAML file
// at path ("": $FLYTECTL_CONFIG, else ~/.flyte/config.yaml), with FLYTE_* environment
// variables over the file's values.
func FromConfig(path string) (*Client, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	var a arena
	defer a.free()
	cp := a.optStr(path)
	if a.err != nil {
		return nil, withOp(a.err, "client from config")
	}
	c := &Client{}
	var cerr *C.flyte_error
	if rc := C.flyte_client_from_config(&c.p, cp, &cerr); rc != 0 {
		return nil, cError("client from config", rc, cerr)
	}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client after the calls in flight have returned. Later calls fail
// with ErrClosed. Closing twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil
	}
	C.flyte_client_free(c.p)
	c.p = nil
	if c.log != 0 {
		c.log.Delete()
		c.log = 0
	}
	runtime.SetFinalizer(c, nil)
	return nil
}

// use runs f with the library client, holding the client open meanwhile.
func (c *Client) use(ctx context.Context, op string, f func(p *C.flyte_client) error) error {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.p == nil {
		return &Error{Op: op, Code: CodeInvalid, GRPCCode: -1, Message: "the client is closed", Err: ErrClosed}
	}
	return f(c.p)
}

func (c *Client) str(f func(p *C.flyte_client) *C.char) string {
	var s string
	_ = c.use(context.Background(), "", func(p *C.flyte_client) error {
		s = goString(f(p))
		return nil
	})
	return s
}

// Endpoint is the base URL requests go to, e.g. "http://127.0.0.1:30080".
func (c *Client) Endpoint() string {
	return c.str(func(p *C.flyte_client) *C.char { return C.flyte_client_endpoint(p) })
}

// Project is the default project of calls.
func (c *Client) Project() string {
	return c.str(func(p *C.flyte_client) *C.char { return C.flyte_client_project(p) })
}

// Domain is the default domain of calls.
func (c *Client) Domain() string {
	return c.str(func(p *C.flyte_client) *C.char { return C.flyte_client_domain(p) })
}

// Request is a raw FlyteAdmin call for what the typed API does not cover: method
// ("GET", "POST", ...), path with its query ("/api/v1/version"), a JSON body or "".
// It is retried on transient failures only when idempotent is true.
func (c *Client) Request(ctx context.Context, method, path, body string, idempotent bool) (string, error) {
	var out string
	err := c.use(ctx, method+" "+path, func(p *C.flyte_client) error {
		var a arena
		defer a.free()
		cm, cp, cb := a.str(method), a.str(path), a.optStr(body)
		if a.err != nil {
			return a.err
		}
		var s *C.char
		var cerr *C.flyte_error
		if rc := C.flyte_client_request(p, &s, cm, cp, cb, C.int(cBool(idempotent)), &cerr); rc != 0 {
			return cError(method+" "+path, rc, cerr)
		}
		out = takeString(s)
		return nil
	})
	return out, err
}

// UploadFile uploads a local file through the data proxy into project/domain (""
// for the client's) and returns the remote URI to use in a Blob. The same bytes give
// the same URI.
func (c *Client) UploadFile(ctx context.Context, path, project, domain string) (string, error) {
	return c.upload(ctx, "upload file", path, project, domain, false)
}

// UploadDirectory uploads every regular file under a local directory and returns the
// URI of the directory (a multipart Blob's).
func (c *Client) UploadDirectory(ctx context.Context, path, project, domain string) (string, error) {
	return c.upload(ctx, "upload directory", path, project, domain, true)
}

func (c *Client) upload(ctx context.Context, op, path, project, domain string, dir bool) (string, error) {
	var out string
	err := c.use(ctx, op, func(p *C.flyte_client) error {
		var a arena
		defer a.free()
		cpath, cproj, cdom := a.str(path), a.optStr(project), a.optStr(domain)
		if a.err != nil {
			return withOp(a.err, op)
		}
		var s *C.char
		var cerr *C.flyte_error
		var rc C.int
		if dir {
			rc = C.flyte_upload_directory(p, &s, cpath, cproj, cdom, &cerr)
		} else {
			rc = C.flyte_upload_file(p, &s, cpath, cproj, cdom, &cerr)
		}
		if rc != 0 {
			return cError(op, rc, cerr)
		}
		out = takeString(s)
		return nil
	})
	return out, err
}
