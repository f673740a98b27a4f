module github.com/flyteremote/flyteremote-go

go 1.22
