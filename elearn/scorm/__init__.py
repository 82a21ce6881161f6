"""SCORM 1.2 export: a module, in one language, as a package any LMS runs offline (package.py)."""
