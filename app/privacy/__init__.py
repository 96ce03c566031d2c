"""Personal data rights (个人信息保护法 第四十五、四十七条): a copy of everything
about an account, deleting it, deleting inactive accounts, and erasing what
finished campaigns no longer need."""
