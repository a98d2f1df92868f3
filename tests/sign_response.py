# SPDX-License-Identifier: MIT
#
# The fixture IdP for tests that drive the login from another language:
# prints one Response to the AuthnRequest REQUEST_ID, signed now with
# xmlsec1 and fixtures/keys/idp-rsa.key (tests/samlflow.py), base64.
#   sign_response.py FIXTURES TMPDIR REQUEST_ID

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samlflow  # noqa: E402

samlflow.setup(sys.argv[1], sys.argv[2])
print(samlflow.signed_response(sys.argv[3]))
