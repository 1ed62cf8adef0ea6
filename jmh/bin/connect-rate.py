# Sequential connect+close rate to HOST:PORT for SECONDS; prints "N/s errors=E".
import socket, sys, time
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + secs; n = 0; err = 0; start = time.time()
while time.time() < end:
    try:
        s = socket.create_connection((host, port), timeout=1)
        s.close(); n += 1
    except OSError:
        err += 1
print("%d/s errors=%d" % (n / (time.time() - start), err))
