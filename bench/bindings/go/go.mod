module github.com/flyteremote/flyteremote-go/bench

go 1.22

require github.com/flyteremote/flyteremote-go v0.0.0

replace github.com/flyteremote/flyteremote-go => ../../../bindings/go
