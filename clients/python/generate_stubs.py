"""Generates the gRPC stubs from the repository's protos/ into streamdiarize_client/_gen.

    python3 generate_stubs.py [--protos DIR]        (in clients/python)

Uses grpc_tools (Debian: apt-get install python3-grpc-tools; elsewhere: pip install grpcio-tools). Debian 12's
grpc_tools 1.14 predates proto3 'optional' (protoc 3.15); when protoc rejects the proto, a copy without the
'optional' labels is compiled instead. The wire format is the same; only the presence of an unset scalar that this
client sends is lost, and it sends such fields only when asked (--speakers, --latency), with a value.
"""
import argparse
import os
import re
import sys
import tempfile

PROTO = "streamdiarize/v1/diarizer.proto"
HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "streamdiarize_client", "_gen")


def default_protos():
    # clients/python -> the repository root's protos/
    return os.path.normpath(os.path.join(HERE, "..", "..", "protos"))


def generate(protos_dir, out_dir=GEN):
    try:
        from grpc_tools import protoc
    except ImportError:
        sys.exit("grpc_tools is missing: apt-get install python3-grpc-tools (or pip install grpcio-tools)")
    if not os.path.isfile(os.path.join(protos_dir, PROTO)):
        sys.exit(f"{os.path.join(protos_dir, PROTO)} is missing: pass --protos with the repository's protos/ folder")
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    os.makedirs(out_dir, exist_ok=True)

    def compile_from(root):
        return protoc.main(["protoc", "-I" + root, "-I" + well_known, "--python_out=" + out_dir,
                            "--grpc_python_out=" + out_dir, os.path.join(root, PROTO)])

    if compile_from(protos_dir) != 0:
        print("protoc rejected the proto (older than proto3 'optional'); compiling a copy without the labels", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="streamdiarize-proto-") as stripped:
            os.makedirs(os.path.join(stripped, os.path.dirname(PROTO)))
            with open(os.path.join(protos_dir, PROTO)) as src, open(os.path.join(stripped, PROTO), "w") as dst:
                dst.write(re.sub(r"^(\s*)optional\s+", r"\1", src.read(), flags=re.M))
            if compile_from(stripped) != 0:
                sys.exit("protoc failed on " + PROTO)
    # Packages, so setuptools ships them and Python 3 imports them the same way with or without namespace packages.
    for folder in ("", "streamdiarize", "streamdiarize/v1"):
        open(os.path.join(out_dir, folder, "__init__.py"), "a").close()
    return out_dir


def main(argv=None):
    parser = argparse.ArgumentParser(prog="generate_stubs.py", description=__doc__.splitlines()[0])
    parser.add_argument("--protos", default=default_protos(), help="the repository's protos/ folder (default: %(default)s)")
    args = parser.parse_args(argv)
    print("stubs written to " + generate(args.protos))


if __name__ == "__main__":
    main()
