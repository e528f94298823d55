"""Write a zip whose bytes depend on its members' contents only.

Usage: dist-zip.py OUT.zip NAME=FILE...

Members go in the order given, each with the same date (1980-01-01, the
earliest a zip can hold), the same attributes and deflate level, so two
builds of the same tree give the same zip wherever they run.
"""
import sys
import zipfile


def main(argv):
    out, members = argv[1], argv[2:]
    with zipfile.ZipFile(out, "w") as archive:
        for member in members:
            name, path = member.split("=", 1)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS: the attributes below are DOS's
            info.external_attr = 0x20  # "archive", as Windows sets it
            with open(path, "rb") as f:
                archive.writestr(info, f.read(), compresslevel=9)


if __name__ == "__main__":
    main(sys.argv)
