#!/usr/bin/python3
"""Fails (exit 1) when a function outside tests/ is longer than 80 lines (a brace-matching scan of src/, include/,
kernels/ and bench/ with comments and strings removed; bodies nested in another function count with it)."""
import glob
import os
import re
import sys
def scan(f):
    txt=open(f).read()
    # strip comments and strings
    txt=re.sub(r'//[^\n]*','',txt)
    txt=re.sub(r'/\*.*?\*/',lambda m: '\n'*m.group(0).count('\n'),txt,flags=re.S)
    txt=re.sub(r'R"\((.*?)\)"',lambda m: '""'+'\n'*m.group(0).count('\n'),txt,flags=re.S)
    txt=re.sub(r'"(\\.|[^"\\\n])*"','""',txt)
    txt=re.sub(r"'(\\.|[^'\\\n])'","''",txt)
    stack=[]; line=1; prev=''
    out=[]
    for ch in txt:
        if ch=='\n': line+=1
        if ch=='{':
            head=prev.strip()
            isfn = '(' in head and not re.match(r'^(if|for|while|switch|else|do|catch|try)\b',head.split('\n')[-1].strip()) and not head.startswith('namespace') and not re.search(r'=\s*$',head) and not re.search(r'\b(if|for|while|switch)\s*\(',head.split('\n')[-1])
            if 'namespace' in head.split('\n')[-1]: isfn=False
            # only count functions not nested in another function
            nested = any(s[1] for s in stack)
            stack.append((line, isfn and not nested, head.split('\n')[-1][:70]))
            prev=''
        elif ch=='}':
            if stack:
                s=stack.pop()
                if s[1] and line-s[0]>80: out.append((f,s[0],line-s[0],s[2]))
            prev=''
        elif ch==';':
            prev=''
        else:
            prev+=ch
    return out
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
files = sorted(glob.glob("src/**/*.[ch]pp", recursive=True) + glob.glob("kernels/*.c*") + glob.glob("kernels/*.hpp") +
               glob.glob("include/**/*.hpp", recursive=True) + glob.glob("bench/*.cpp"))
long = [r for f in files for r in scan(f)]
for f, line, n, head in long:
    print(f"{f}:{line}: function of {n} lines (limit 80): {head}")
print(f"function length: {len(long)} function(s) over 80 lines in {len(files)} files")
sys.exit(1 if long else 0)
