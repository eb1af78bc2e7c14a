use super::*;

fn file(name: &str) -> DistFile {
    DistFile {
        filename: name.into(),
        url: format!("https://files.example/ab/{name}"),
        hashes: [("sha256".to_string(), "ab".repeat(32))].into(),
        ..DistFile::default()
    }
}

fn sample() -> Vec<DistFile> {
    let mut a = file("alpha-1.0-py3-none-any.whl");
    a.size = Some(1234);
    a.requires_python = Some(">=3.8".into());
    a.metadata = Some(Hashes::new());
    a.upload_time = Some("2024-01-02T03:04:05.000000Z".into());
    let mut b = file("alpha-1.0.tar.gz");
    b.url = "https://files.example/alpha-1.0.tar.gz?x=1".into();
    b.requires_python = Some(">=3.8".into());
    b.yanked = Some(String::new());
    b.size = Some(0);
    let mut c = file("alpha-0.9+local.tar.gz");
    c.url = "file:///srv/f/alpha-0.9%2Blocal.tar.gz".into();
    c.hashes = [
        ("md5".to_string(), "00".to_string()),
        ("sha256".to_string(), "cd".to_string()),
    ]
    .into();
    c.yanked = Some("broken ünïcode".into());
    c.metadata = Some([("sha256".to_string(), "ef".to_string())].into());
    vec![a, b, c, DistFile::default()]
}

fn packed(list: &[DistFile]) -> Files {
    let bytes: Bytes = Arc::new(Files::from(list.to_vec()).pack());
    Files::unpack(bytes).unwrap()
}

#[test]
fn packed_files_read_back_field_for_field() {
    let list = sample();
    let p = packed(&list);
    assert!(matches!(p.0, Repr::Packed(_)));
    assert_eq!(p.len(), list.len());
    for (i, f) in list.iter().enumerate() {
        assert_eq!(p.get(i).unwrap().as_ref(), f, "file {i}");
        assert_eq!(p.filename(i), f.filename);
        assert_eq!(p.requires_python(i), f.requires_python.as_deref());
        assert_eq!(p.is_yanked(i), f.yanked.is_some());
    }
    assert_eq!(p, Files::from(list));
    assert!(p.get(4).is_none());
    assert_eq!(p.filename(99), "");
    assert!(!p.is_yanked(99));
}

#[test]
fn an_empty_project_packs() {
    let p = packed(&[]);
    assert!(p.is_empty());
    assert_eq!(p.iter().count(), 0);
}

#[test]
fn extending_packed_files_keeps_them_in_order() {
    let list = sample();
    let mut p = packed(&list[..2]);
    p.extend(list[2..].to_vec());
    assert_eq!(p, Files::from(list));
}

#[test]
fn damaged_buffers_are_refused_or_read_without_panicking() {
    let bytes = Files::from(sample()).pack();
    assert!(Files::unpack(Arc::new(b"unilock-files-2\n\0\0\0\0".to_vec())).is_none());
    for cut in 0..bytes.len() {
        let short = bytes[..cut].to_vec();
        if let Some(f) = Files::unpack(Arc::new(short)) {
            // The records fit; what they point at may not.
            let _ = f.iter().count();
        }
    }
    for at in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0xa5;
        if let Some(f) = Files::unpack(Arc::new(flipped)) {
            for i in 0..f.len().min(8) {
                let _ = (
                    f.get(i),
                    f.filename(i),
                    f.requires_python(i),
                    f.is_yanked(i),
                );
            }
        }
    }
}
