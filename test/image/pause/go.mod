module astromesh.test/pause

go 1.25
