#!/usr/bin/env python3
# Differential check of drillctl against the real ansible-inventory on random inventories (not run by the
# tests; a tool for whoever changes the loader). Usage:
#   DRILLCTL=.build/debug/drillctl ANSIBLE_INVENTORY=/tmp/ansible-venv/bin/ansible-inventory \
#     python3 Tests/DrillCoreTests/Fixtures/inventory/differential.py SEED COUNT
# Prints DIFF for an inventory both accept but list differently, STATUS MISMATCH when only one accepts it
# (drillctl refuses duplicate YAML keys and 'ungrouped' below another group on purpose), and keeps those
# cases in $WORKDIR (default /tmp/drillctl-differential).
import random, json, subprocess, sys, os
random.seed(int(sys.argv[1]))
N=int(sys.argv[2])
names=["web","db","app","yunnan","guizhou","team_a","team_b","zz","aa","ungrouped","mid","leaf"]
hosts=["h1","h2","h3","web[01:03].x","db-[a:c].y","n[0:10:5]","h4:2222","10.0.0.[1:2]","云01"]
vals_yaml=["yes","no","on","0755","08","1:30","1.5","1e3","1.0e+3","~","''","\"yes\"","2024-01-02","[1, a]","{k: v}","中文","0x1F","+5","-3",".5","True","y","null","'0755'","!!str 5"]
vals_ini=["1","\"2\"","yes","True","False","None","0755","1.5","1e3","[1,2]","\"[1, 'a']\"","'quoted'","hello","0x1F","-5","1_000","(1,2)","{'k':1}","中文","\"'中文'\"","..."]
def yaml_inv():
    lines=["all:"]
    def group(indent, depth, used):
        out=[]
        for g in random.sample([n for n in names if n != "ungrouped" or indent == 4], random.randint(1,3)):
            if g in used: continue
            out.append(" "*indent+g+":")
            if random.random()<0.2: continue
            if random.random()<0.6:
                out.append(" "*(indent+2)+"vars:")
                for k in random.sample(["v","w","x","ansible_group_priority" if random.random()<0.2 else "y"], random.randint(1,3)):
                    v=str(random.randint(1,5)) if k=="ansible_group_priority" else random.choice(vals_yaml)
                    out.append(" "*(indent+4)+f"{k}: {v}")
            if random.random()<0.7:
                out.append(" "*(indent+2)+"hosts:")
                for h in random.sample(hosts, random.randint(1,3)):
                    out.append(" "*(indent+4)+h+":")
                    if random.random()<0.5:
                        out.append(" "*(indent+6)+f"{random.choice(['v','w','z'])}: {random.choice(vals_yaml)}")
            if depth<3 and random.random()<0.5:
                sub=group(indent+4, depth+1, used|{g})
                if sub:
                    out.append(" "*(indent+2)+"children:")
                    out+=sub
        return out
    if random.random()<0.5:
        lines+=["  vars:", f"    v: {random.choice(vals_yaml)}", f"    top: {random.choice(vals_yaml)}"]
    if random.random()<0.4:
        lines+=["  hosts:", f"    {random.choice(hosts)}:"]
    sub=group(4,1,{"all"})
    if sub: lines+=["  children:"]+sub
    return "\n".join(lines)+"\n"
def ini_inv():
    out=[]
    for h in random.sample(hosts,random.randint(0,2)):
        out.append(h+" "+" ".join(f"{k}={random.choice(vals_ini)}" for k in random.sample(["a","b","c"],random.randint(0,2))))
    declared=set()
    for _ in range(random.randint(2,6)):
        g=random.choice(names[:-3]+["leaf","mid"])
        kind=random.choice(["","","vars","children"])
        if kind=="vars" and g not in declared: kind=""
        out.append(f"[{g}{':'+kind if kind else ''}]")
        if kind=="": 
            declared.add(g)
            for h in random.sample(hosts,random.randint(1,3)):
                out.append(h+" "+" ".join(f"{k}={random.choice(vals_ini)}" for k in random.sample(["a","b","c"],random.randint(0,2))))
        elif kind=="vars":
            for k in random.sample(["v","w","ansible_group_priority"],random.randint(1,2)):
                out.append(f"{k}={random.randint(1,4) if k=='ansible_group_priority' else random.choice(vals_ini)}")
        else:
            for c in random.sample([n for n in names if n!=g and n!='ungrouped'],random.randint(1,2)):
                out.append(c); 
                if c not in declared: out.append("") ; out.insert(len(out), f"[{c}]"); declared.add(c); out.append(random.choice(hosts))
    return "\n".join(out)+"\n"
D=os.environ.get("DRILLCTL", ".build/debug/drillctl")
ANSIBLE_INVENTORY=os.environ.get("ANSIBLE_INVENTORY", "ansible-inventory")
WORKDIR=os.environ.get("WORKDIR", "/tmp/drillctl-differential")
os.makedirs(WORKDIR, exist_ok=True)
bad=0
for i in range(N):
    ext=random.choice(["yaml","ini"])
    text=yaml_inv() if ext=="yaml" else ini_inv()
    path=f"{WORKDIR}/case{sys.argv[1]}_{i}.{ext}"
    open(path,"w").write(text)
    a=subprocess.run([ANSIBLE_INVENTORY,"-i",path,"--list"],capture_output=True,text=True)
    b=subprocess.run([D,"inventory","list","-i",path],capture_output=True,text=True)
    aok = a.returncode==0 and "Unable to parse" not in a.stderr and "Failed to parse" not in a.stderr and "Skipping" not in a.stderr
    if not aok or b.returncode!=0:
        if aok != (b.returncode==0):
            bad+=1; print("STATUS MISMATCH", path, a.returncode, b.returncode, b.stderr[:300], a.stderr[:300])
        continue
    def red(v):
        words=["password","pass","passwd","passphrase","secret","token","api_key"]
        if isinstance(v,dict): return {k:("<redacted>" if any(k.lower()==w or k.lower().endswith("_"+w) for w in words) else red(x)) for k,x in v.items()}
        if isinstance(v,list): return [red(x) for x in v]
        return v
    ja=json.dumps(red(json.loads(a.stdout)),sort_keys=True,ensure_ascii=False); jb=json.dumps(json.loads(b.stdout),sort_keys=True,ensure_ascii=False)
    if ja!=jb:
        bad+=1; print("DIFF", path)
    else:
        os.remove(path)
print("done", N, "bad", bad)
